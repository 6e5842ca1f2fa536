import { test, expect } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

test('an administrator creates a learner, who signs in and sees their home page', async ({ page }) => {
  const email = uniqueEmail('new-learner');

  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'New user' }).click();
  await hydrated(page);
  await page.getByLabel('Full name').fill('Grace Hopper');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password (optional)').fill(PASSWORD);
  await expect(page.getByRole('checkbox', { name: 'Learner' })).toBeChecked();
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status')).toContainText('User created');
  await expect(page.getByRole('heading', { name: 'Grace Hopper' })).toBeVisible();

  await page.locator('.user-menu summary').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  await signIn(page, email, PASSWORD);
  await expect(page.getByRole('heading', { name: 'Welcome, Grace' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'My learning' })).toBeVisible();
  // A learner's navigation has no administration links.
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
});

test('a form error is shown next to its field and keeps what was typed', async ({ page }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto('/admin/users/new');
  await hydrated(page);
  await page.getByLabel('Full name').fill('Typed Name');
  await page.getByLabel('Email address').fill('not-an-email');
  await page.getByRole('button', { name: 'Create user' }).click();
  const email = page.getByLabel('Email address');
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#field-email-error')).toContainText('Enter an email address like');
  await expect(page.getByLabel('Full name')).toHaveValue('Typed Name');
});

test('an administrator records where a person sits in the organisation, and whom they report to', async ({ page, request }) => {
  const person = uniqueEmail('nurse');
  const lead = uniqueEmail('lead');
  await createUser(request, person);
  await createUser(request, lead);
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto(`/admin/users?q=${encodeURIComponent(person)}`);
  await page.getByRole('table').getByRole('link', { name: 'Lena Learner' }).click();
  await hydrated(page);
  const organisation = page.getByRole('region', { name: 'Organisation' });
  await organisation.getByLabel('Department').fill('Nursing');
  await organisation.getByLabel('Job title').fill('Staff nurse');
  await organisation.getByLabel('Hire date').fill('2024-02-29');
  // A manager nobody has is refused next to the field; nothing typed is lost.
  await organisation.getByLabel("Manager's email address").fill('nobody@example.com');
  await organisation.getByRole('button', { name: 'Save organisation details' }).click();
  await expect(organisation.getByText('No account has this email address.')).toBeVisible();
  await expect(organisation.getByLabel('Department')).toHaveValue('Nursing');
  await organisation.getByLabel("Manager's email address").fill(lead);
  await organisation.getByRole('button', { name: 'Save organisation details' }).click();
  await expect(organisation.getByRole('status')).toContainText('Organisation details saved.');
  await expect(organisation.getByText('Reports to Lena Learner.')).toBeVisible();
  // Kept: a reload shows it.
  await page.reload();
  await expect(page.getByRole('region', { name: 'Organisation' }).getByLabel('Job title')).toHaveValue('Staff nurse');
});
