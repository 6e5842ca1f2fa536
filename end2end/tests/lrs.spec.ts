import { expect, test } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, hydrated, signIn } from './helpers';

test('an administrator makes an LRS client, content sends a statement with it, and the page finds it', async ({ page, request }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Learning records' }).click();
  await expect(page.getByRole('heading', { name: 'Learning record store', level: 1 })).toBeVisible();
  await hydrated(page);

  // No permission chosen: the message sits by the permissions.
  const form = page.getByRole('region', { name: 'Clients' });
  await form.getByLabel('Client name').fill('Storyline courses');
  // Sending statements and state are ticked for a new client: untick both.
  await form.getByRole('checkbox', { name: /Send statements/ }).uncheck();
  await form.getByRole('checkbox', { name: /state documents/ }).uncheck();
  await form.getByRole('button', { name: 'Create client' }).click();
  await expect(form.getByRole('alert').filter({ hasText: 'Choose at least one permission' })).toBeVisible();

  await form.getByRole('checkbox', { name: /Send statements/ }).check();
  await form.getByRole('checkbox', { name: /Read statements/ }).check();
  await form.getByRole('button', { name: 'Create client' }).click();
  const key = (await page.getByTestId('client-key').textContent())!.trim();
  const secret = (await page.getByTestId('client-secret').textContent())!.trim();
  await expect(page.getByRole('cell', { name: 'Storyline courses', exact: true }).first()).toBeVisible();

  // Content talks to /xapi with the key and secret.
  const auth = 'Basic ' + Buffer.from(`${key}:${secret}`).toString('base64');
  const marker = `http://example.com/e2e/${Date.now()}`;
  const sent = await request.post('/xapi/statements', {
    headers: { Authorization: auth, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' },
    data: {
      actor: { mbox: 'mailto:lena@example.com', name: 'Lena Learner' },
      verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
      object: { id: marker, definition: { name: { 'en-US': 'Fire safety (e2e)' } } },
    },
  });
  expect(sent.status(), await sent.text()).toBe(200);
  const [id] = await sent.json();

  // The administrator filters by activity (a plain GET form: the address carries the filter).
  const statements = page.getByRole('region', { name: 'Statements' });
  await statements.getByLabel('Activity').fill(marker);
  await statements.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/activity=/);
  const row = page.getByRole('row').filter({ hasText: 'Fire safety (e2e)' });
  await expect(row).toContainText('Lena Learner');
  await expect(row).toContainText('completed');
  await row.locator('summary', { hasText: id }).click();
  await expect(row.locator('pre')).toContainText('"authority"');

  // Revoked, the key no longer works.
  await page.goto('/admin/lrs');
  await hydrated(page);
  await page.getByRole('button', { name: 'Revoke Storyline courses' }).first().click();
  await expect(page.getByText('The client is revoked')).toBeVisible();
  const refused = await request.get('/xapi/statements', {
    headers: { Authorization: auth, 'X-Experience-API-Version': '1.0.3' },
  });
  expect(refused.status()).toBe(401);
});
