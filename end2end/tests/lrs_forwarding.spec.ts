import { expect, test } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, call, hydrated, signIn, signedInWithoutScript } from './helpers';

// Issue 13, "administrators can forward every statement to an external LRS": an administrator
// points Lyceum at another LRS (Ralph, which scripts/e2e.sh starts through
// scripts/lrs-test-server.sh), a statement content sends to Lyceum's LRS reaches the other one through the job queue,
// and a wrong address is refused next to its field, without JavaScript too.
const other = process.env.LYCEUM_TEST_LRS_URL ?? '';
const user = process.env.LYCEUM_TEST_LRS_USER ?? '';
const password = process.env.LYCEUM_TEST_LRS_PASSWORD ?? '';

test('an administrator forwards every statement to another LRS', async ({ page, request, browser }) => {
  expect(other, 'scripts/e2e.sh names the other LRS in LYCEUM_TEST_LRS_URL').not.toBe('');
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto('/admin/lrs');
  await hydrated(page);
  const section = page.getByRole('region', { name: 'Forward statements to another LRS' });

  await section.getByLabel('Address of the other LRS').fill('lrs.example.com');
  await section.getByLabel('Key (user name)').fill(user);
  await section.getByLabel('Secret (password)').fill(password);
  await section.getByRole('checkbox', { name: /Forward every statement/ }).check();
  await section.getByRole('button', { name: 'Save forwarding' }).click();
  await expect(section.getByText("Give the other LRS's xAPI address")).toBeVisible();
  await expect(section.getByLabel('Address of the other LRS')).toHaveAttribute('aria-invalid', 'true');
  // What was typed stays for the next try.
  await expect(section.getByLabel('Key (user name)')).toHaveValue(user);
  await expect(section.getByRole('checkbox', { name: /Forward every statement/ })).toBeChecked();

  await section.getByLabel('Address of the other LRS').fill(other);
  await section.getByRole('button', { name: 'Save forwarding' }).click();
  await expect(section.getByText('Forwarding saved.')).toBeVisible();

  // Content sends a statement to Lyceum's LRS; the job passes it on.
  await call(request, 'auth/sign_in', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  const client = await call(request, 'xapi/create_client', { name: 'Forwarding e2e', scopes: 'statements/write' });
  const auth = 'Basic ' + Buffer.from(`${client.info.key}:${client.secret}`).toString('base64');
  const sent = await request.post('/xapi/statements', {
    headers: { Authorization: auth, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' },
    data: {
      actor: { mbox: 'mailto:lena@example.com', name: 'Lena Learner' },
      verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
      object: { id: `http://example.com/e2e/forwarded/${Date.now()}` },
    },
  });
  expect(sent.status(), await sent.text()).toBe(200);
  const [id] = await sent.json();
  const otherAuth = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
  await expect
    .poll(async () => {
      const held = await request.get(`${other}/statements?statementId=${id}`, {
        headers: { Authorization: otherAuth, 'X-Experience-API-Version': '1.0.3' },
      });
      return held.ok() ? JSON.stringify(await held.json()) : `${held.status()}`;
    }, { timeout: 30_000 })
    .toContain(id);
  await page.reload();
  await expect(page.getByTestId('forwarding-queued')).toHaveText('Waiting to be sent: 0.');
  await expect(section.getByText(/^Last sent /)).toBeVisible();

  // Without the page's script the form posts, and a wrong address comes back next to its field.
  const noScript = await signedInWithoutScript(browser, ADMIN_EMAIL, ADMIN_PASSWORD);
  await noScript.goto('/admin/lrs');
  const form = noScript.getByRole('region', { name: 'Forward statements to another LRS' });
  await form.getByLabel('Address of the other LRS').fill('ftp://lrs.example.com');
  await form.getByRole('button', { name: 'Save forwarding' }).click();
  await expect(noScript.getByText("Give the other LRS's xAPI address")).toBeVisible();
  await noScript.context().close();
});
