import { test, expect } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

test('a forgotten password is reset through the emailed link (read from the outbox)', async ({ page, request, browser }) => {
  const email = uniqueEmail('forgetful');
  await createUser(request, email);

  await page.goto('/forgot-password');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByRole('status')).toContainText('If that address has an account');

  // Without SMTP configured the message waits in the outbox, which administrators can read.
  const admin = await browser.newPage();
  await signIn(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(admin.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await admin.goto('/admin/outbox');
  const message = admin.getByRole('article').filter({ hasText: `To ${email}` }).first();
  const body = await message.locator('pre').innerText();
  const link = body.match(/http\S+reset-password\?token=\S+/)?.[0];
  expect(link).toBeTruthy();
  await admin.close();

  await page.goto(new URL(link!).pathname + new URL(link!).search);
  await hydrated(page);
  await page.getByLabel('New password').fill('a completely new passphrase');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('status')).toContainText('Your password is set');

  await signIn(page, email, 'a completely new passphrase');
  await expect(page.getByRole('heading', { name: 'Welcome, Lena' })).toBeVisible();
});
