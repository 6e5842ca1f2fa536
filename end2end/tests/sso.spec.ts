import { expect, test } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, hydrated, signIn, uniqueEmail } from './helpers';

// Issue 14, "sign in through the OIDC provider": an administrator adds the organisation's
// OpenID Connect provider (a real one, npm oidc-provider, which scripts/e2e.sh starts through
// scripts/oidc-test-server.sh), a typo in its address is refused next to the field, and a new
// person signs in with the button on the sign-in page, through the provider's own page, without
// JavaScript, and gets a learner account.
const issuer = process.env.LYCEUM_TEST_OIDC_ISSUER ?? '';
const clientId = process.env.LYCEUM_TEST_OIDC_CLIENT_ID ?? '';
const secret = process.env.LYCEUM_TEST_OIDC_CLIENT_SECRET ?? '';

test('a new person signs in through the organisation\'s identity provider', async ({ page, browser }) => {
  expect(issuer, 'scripts/e2e.sh names the provider in LYCEUM_TEST_OIDC_ISSUER').not.toBe('');
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto('/admin/sso');
  await hydrated(page);
  const card = page.getByRole('region', { name: 'Staff login' });
  if ((await card.count()) === 0) {
    const add = page.getByRole('region', { name: 'Add a provider' });
    await add.getByLabel('Button name').fill('Staff login');
    await add.getByLabel('Short name').fill('idp');
    await add.getByLabel('Issuer URL').fill('http://127.0.0.1:9/nowhere');
    await add.getByLabel('Client ID').fill(clientId);
    await add.getByLabel('Client secret').fill(secret);
    await add.getByRole('checkbox', { name: /Create a learner account/ }).check();
    await add.getByRole('button', { name: 'Add provider' }).click();
    await expect(add.getByText(/could not read the provider's discovery document/)).toBeVisible();
    await expect(add.getByLabel('Issuer URL')).toHaveAttribute('aria-invalid', 'true');
    // What was typed stays for the next try.
    await expect(add.getByLabel('Client ID')).toHaveValue(clientId);
    await expect(add.getByRole('checkbox', { name: /Create a learner account/ })).toBeChecked();
    await add.getByLabel('Issuer URL').fill(issuer);
    await add.getByRole('button', { name: 'Add provider' }).click();
    await expect(add.getByText('Provider saved.')).toBeVisible();
  }
  await expect(card.getByTestId('redirect-uri')).toHaveText('http://127.0.0.1:3000/sso/idp/callback');

  // Someone new, in a browser without JavaScript: the button is a link, the rest redirects.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const visitor = await context.newPage();
  const email = uniqueEmail('sso');
  await visitor.goto('/sign-in');
  await visitor.getByRole('link', { name: 'Sign in with Staff login' }).click();
  await expect(visitor.getByRole('heading', { name: 'Test identity provider' })).toBeVisible();
  await visitor.getByLabel('Email').fill(email);
  await visitor.getByRole('button', { name: 'Sign in' }).click();
  await expect(visitor.getByRole('heading', { level: 1 })).toContainText('Welcome');
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'lyceum_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Lax');
  await context.close();

  // The administrator sees the new account, linked to the provider.
  await page.reload();
  await expect(card).toContainText(/· [1-9]\d* (person signs|people sign) in with it/);
  await page.goto(`/admin/users?q=${encodeURIComponent(email)}`);
  await expect(page.getByRole('cell', { name: email })).toBeVisible();
});
