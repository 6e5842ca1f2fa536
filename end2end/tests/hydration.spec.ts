import { test, expect } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

test('the WASM client hydrates: the delete confirmation opens and cancels without a page load', async ({ page, request }) => {
  const email = uniqueEmail('hydration');
  await createUser(request, email);
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto(`/admin/users?q=${encodeURIComponent(email)}`);
  await page.getByRole('link', { name: 'Lena Learner' }).click();
  await hydrated(page);

  // Only the hydrated client can open this dialog: there is no server round trip.
  await page.getByRole('button', { name: 'Delete user' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Delete this account?');
  await page.getByRole('button', { name: 'Keep the account' }).click();
  await expect(dialog).toHaveCount(0);

  // Suspending re-renders the status in place.
  await page.getByRole('button', { name: 'Suspend' }).click();
  await expect(page.getByRole('button', { name: 'Reactivate' })).toBeVisible();
  await expect(page.locator('.page-header .badge')).toHaveText('Suspended');

  // A suspended person cannot sign in.
  await page.context().clearCookies();
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole('alert')).toContainText('suspended');
});
