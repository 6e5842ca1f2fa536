import { test, expect } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, hydrated, signIn, uniqueEmail } from './helpers';

test('a CSV with one bad row shows the error and imports nothing', async ({ page }) => {
  const good = uniqueEmail('csv-good');
  const csv = `email,name,roles\n${good},Good Person,learner\nbroken-address,Bad Person,learner\n`;

  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto('/admin/users/import');
  await hydrated(page);
  await page.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });

  const badRow = page.getByRole('row', { name: /broken-address/ });
  await expect(badRow).toContainText('Enter an email address like');
  await expect(page.getByText('Problems in 1 of 2 rows.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Import users' })).toBeDisabled();

  // Nothing was imported: the good row's person does not exist.
  await page.goto(`/admin/users?q=${encodeURIComponent(good)}`);
  await expect(page.getByText('No users match these filters.')).toBeVisible();
});

test('a valid CSV imports all rows with a summary', async ({ page }) => {
  const a = uniqueEmail('csv-a');
  const b = uniqueEmail('csv-b');
  const csv = `email,name,roles\n${a},Ada Import,learner\n${b},Bob Import,instructor;learner\n`;

  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto('/admin/users/import');
  await hydrated(page);
  await page.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByText('Ready to import: 2 new, 0 updated, 0 unchanged.')).toBeVisible();
  await page.getByRole('button', { name: 'Import users' }).click();
  await expect(page.getByText('Import complete: 2 created, 0 updated, 0 unchanged.')).toBeVisible();

  await page.goto(`/admin/users?q=${encodeURIComponent(b)}`);
  await expect(page.getByRole('link', { name: 'Bob Import' })).toBeVisible();
});
