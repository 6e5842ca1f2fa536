import { test, expect } from '@playwright/test';
import { PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

test('a learner opening an admin page sees the 403 page', async ({ page, request }) => {
  const email = uniqueEmail('curious-learner');
  await createUser(request, email);
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');

  const response = await page.goto('/admin/users');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
  await page.goto('/admin/settings');
  await expect(page.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
});

test('repeated wrong passwords lock sign-in with a message', async ({ page, request }) => {
  const email = uniqueEmail('locked-learner');
  await createUser(request, email);
  await page.goto('/sign-in');
  await hydrated(page);
  for (let i = 0; i < 5; i++) {
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(`wrong password ${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('The email address or password is incorrect.');
  }
  // Even the right password is refused now, with a clear message.
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Too many failed sign-in attempts');
});

test('unknown pages show a helpful 404 page', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Go to your home page' })).toBeVisible();
});

test('the keyboard reaches the skip link first, and it jumps to the main content', async ({ page }) => {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);
  // The sign-in form is labelled for screen readers.
  await expect(page.getByRole('textbox', { name: 'Email address' })).toBeVisible();
});
