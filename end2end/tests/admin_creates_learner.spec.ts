import { test, expect } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, hydrated, signIn, uniqueEmail } from './helpers';

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
