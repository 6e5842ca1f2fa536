import { test, expect } from '@playwright/test';
import { PASSWORD, createUser, hydrated, uniqueEmail } from './helpers';

// Forms keep what people type before the page's script has loaded, and signing in works without
// JavaScript at all.

test('what is typed while the WASM is still loading survives hydration and signs in', async ({ page, request }) => {
  const email = uniqueEmail('slow');
  await createUser(request, email);
  // Hold back every WASM file (the app and each page's chunk) until the form has been filled in.
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\.wasm$/, async (route) => {
    await released;
    await route.continue();
  });
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(0);
  release();
  await hydrated(page);
  await expect(page.getByLabel('Email address')).toHaveValue(email);
  await expect(page.getByLabel('Password')).toHaveValue(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('signing in and out works', async ({ page, request }) => {
    const email = uniqueEmail('nojs');
    await createUser(request, email);
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
    // The user menu is a <details>: it opens without script, and its Sign out is a form.
    await page.locator('.user-menu summary').click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto('/account');
    await expect(page.getByRole('heading', { name: 'Please sign in' })).toBeVisible();
    // A wrong password comes back as a message on the sign-in page, not a blank error.
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
  });
});
