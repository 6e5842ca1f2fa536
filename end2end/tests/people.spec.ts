import { test, expect } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

test('people data: a CSV with profile columns, an audience with a live count, and a manager\'s team', async ({ page }) => {
  const ward = `Ward ${Date.now()}`;
  const boss = uniqueEmail('ward-boss');
  const nurse = uniqueEmail('ward-nurse');
  const porter = uniqueEmail('ward-porter');
  // The manager is a row of the same file; the nurse's password lets her sign in later.
  const csv =
    'email,name,roles,password,department,job_title,manager_email,location\n' +
    `${boss},Bea Boss,learner,${PASSWORD},${ward},Ward Manager,,North\n` +
    `${nurse},Nia Nurse,learner,,${ward},Staff nurse,${boss},North\n` +
    `${porter},Pat Porter,learner,,${ward},Porter,${nurse},South\n`;

  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto('/admin/users/import');
  await hydrated(page);
  await page.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByRole('row', { name: /Nia Nurse/ })).toContainText(`Manager: ${boss}`);
  await expect(page.getByText('Ready to import: 3 new, 0 updated, 0 unchanged.')).toBeVisible();
  await page.getByRole('button', { name: 'Import users' }).click();
  await expect(page.getByText('Import complete: 3 created, 0 updated, 0 unchanged.')).toBeVisible();

  // An audience: the ward, in the North. The count follows the rules as they are edited.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audiences' }).click();
  await expect(page.getByRole('heading', { name: 'Audiences', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'New audience' }).click();
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill(`${ward} North`);
  await page.getByLabel('Rule 1 value').fill(ward);
  await page.getByLabel('Rule 1 value').press('Tab');
  const count = page.getByTestId('audience-count');
  await expect(count).toHaveText('3 people match.');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await page.getByLabel('Rule 2 field').selectOption('location');
  await page.getByLabel('Rule 2 value').fill('north');
  await page.getByLabel('Rule 2 value').press('Tab');
  await expect(count).toHaveText('2 people match.');
  await expect(page.getByRole('table', { name: 'People who match' })).toContainText('Nia Nurse');
  // A manager nobody has is refused next to the rule, and nothing typed is lost.
  await page.getByRole('button', { name: 'Add rule' }).click();
  await page.getByLabel('Rule 3 field').selectOption('manager');
  await page.getByLabel('Rule 3 value').fill('nobody@example.com');
  await page.getByRole('button', { name: 'Save audience' }).click();
  await expect(page.getByText('No account has this email address.')).toBeVisible();
  await page.getByRole('button', { name: 'Remove rule 3' }).click();
  await page.getByRole('button', { name: 'Save audience' }).click();
  await expect(page).toHaveURL(/\/admin\/audiences\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Edit audience' })).toBeVisible();
  await page.goto('/admin/audiences');
  const row = page.getByRole('row', { name: new RegExp(`${ward} North`) });
  await expect(row).toContainText(`Department is “${ward}” and Location is “north”`);
  await expect(row.getByRole('cell').nth(2)).toHaveText('2');

  // The ward manager sees her team: the nurse directly, the porter through the nurse.
  await page.locator('.user-menu summary').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, boss, PASSWORD);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My team' }).click();
  await expect(page.getByRole('heading', { name: 'My team', level: 1 })).toBeVisible();
  const team = page.getByRole('table', { name: 'People who report to you' });
  await expect(team.getByRole('row')).toHaveCount(3);
  await expect(team.getByRole('row', { name: /Pat Porter/ })).toContainText('Nia Nurse');
  await team.getByRole('link', { name: 'Pat Porter' }).click();
  await expect(page.getByRole('heading', { name: 'Pat Porter', level: 1 })).toBeVisible();
  await expect(page.getByText('Porter', { exact: true })).toBeVisible();
});

test('an administrator defines a profile field; it is recorded on a person and shown to them', async ({ page, request }) => {
  const person = uniqueEmail('shift-worker');
  await createUser(request, person);
  const name = `shift_${Date.now() % 1_000_000}`;
  // Unique per run, so that a retry does not find the first try's field too.
  const label = `Shift pattern ${name}`;
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto('/admin/profile-fields');
  await hydrated(page);
  await page.getByLabel('Label').fill(label);
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Kind').selectOption('choice');
  await page.getByLabel('Choices').fill('Days\nNights');
  await page.getByRole('button', { name: 'Save profile field' }).click();
  await expect(page.getByRole('status')).toContainText('Profile field saved.');
  await expect(page.getByRole('table', { name: 'Profile fields' })).toContainText(name);

  await page.goto(`/admin/users?q=${encodeURIComponent(person)}`);
  await page.getByRole('table').getByRole('link', { name: 'Lena Learner' }).click();
  await hydrated(page);
  const organisation = page.getByRole('region', { name: 'Organisation' });
  await organisation.getByLabel(label).selectOption('Nights');
  await organisation.getByRole('button', { name: 'Save organisation details' }).click();
  await expect(organisation.getByRole('status')).toContainText('Organisation details saved.');
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('region', { name: 'Organisation' }).getByLabel(label)).toHaveValue('Nights');

  await page.locator('.user-menu summary').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, person, PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto('/account');
  const details = page.getByRole('region', { name: 'Your organisation details' });
  await expect(details).toContainText(label);
  await expect(details).toContainText('Nights');
});
