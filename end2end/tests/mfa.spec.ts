import { expect, test } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

// Issue 14, "MFA: TOTP (with QR enrolment and recovery codes)": a learner turns on two-step
// verification with an authenticator app (the codes computed here as an app does, RFC 6238),
// then signing in asks for a code, and a recovery code works once, without JavaScript too.

function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The code an authenticator app shows `stepsAhead` steps from now. */
function code(secret: string, stepsAhead = 0): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + stepsAhead));
  const h = createHmac('sha1', base32(secret)).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  const value = (((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]) % 1_000_000;
  return value.toString().padStart(6, '0');
}

test('a learner turns on two-step verification and signs in with a code', async ({ page, request, browser }) => {
  const email = uniqueEmail('mfa');
  await createUser(request, email);
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto('/account');
  await hydrated(page);
  const section = page.getByRole('region', { name: 'Two-step verification' });
  await section.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(section.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  const secret = (await section.getByTestId('totp-secret').textContent()) ?? '';
  await section.getByLabel('Code from the app').fill('000000');
  await section.getByRole('button', { name: 'Turn on' }).click();
  await expect(section.getByText('That code is not right.')).toBeVisible();
  await section.getByLabel('Code from the app').fill(code(secret));
  await section.getByRole('button', { name: 'Turn on' }).click();
  const codes = section.getByTestId('recovery-codes').locator('li');
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.nth(0).textContent()) ?? '';
  await expect(section.getByText(/On: signing in with your password asks for a code/)).toBeVisible();

  // Signing in again: the password, then the app's next code.
  await page.context().clearCookies();
  await signIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/sign-in\/second-step/);
  await expect(page.getByRole('heading', { name: 'Enter your code' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('textbox', { name: 'Code' }).fill('111111');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('That code is not right.')).toBeVisible();
  await page.getByRole('textbox', { name: 'Code' }).fill(code(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');

  // Without JavaScript, with a recovery code.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto('/sign-in');
  await plain.getByLabel('Email address').fill(email);
  await plain.getByLabel('Password').fill(PASSWORD);
  await plain.getByRole('button', { name: 'Sign in' }).click();
  await expect(plain.getByRole('heading', { name: 'Enter your code' })).toBeVisible();
  await plain.getByRole('textbox', { name: 'Code' }).fill(recovery);
  await plain.getByRole('button', { name: 'Verify' }).click();
  await expect(plain.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await context.close();
});

test('a role that requires two-step verification sets it up at the next sign-in', async ({ page, request, browser }) => {
  const email = uniqueEmail('manager');
  await createUser(request, email, ['manager']);
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto('/admin/sso');
  await hydrated(page);
  const rules = page.getByRole('region', { name: 'Sign-in rules' });
  const required = rules.getByRole('checkbox', { name: 'Required for managers' });
  await required.check();
  await rules.getByRole('button', { name: 'Save sign-in rules' }).click();
  await expect(rules.getByText('Sign-in rules saved.')).toBeVisible();
  try {
    const context = await browser.newContext();
    const manager = await context.newPage();
    await signIn(manager, email, PASSWORD);
    await expect(manager.getByRole('heading', { name: 'Set up two-step verification' })).toBeVisible();
    await expect(manager.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
    await hydrated(manager);
    const secret = (await manager.getByTestId('totp-secret').textContent()) ?? '';
    await manager.getByRole('textbox', { name: 'Code' }).fill(code(secret));
    await manager.getByRole('button', { name: 'Verify' }).click();
    await expect(manager.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
    await manager.getByRole('link', { name: 'Continue' }).click();
    await expect(manager.getByRole('heading', { level: 1 })).toContainText('Welcome');
    await context.close();
  } finally {
    // Other specs sign managers in with a password alone.
    await required.uncheck();
    await rules.getByRole('button', { name: 'Save sign-in rules' }).click();
    await page.reload();
    await expect(page.getByRole('region', { name: 'Sign-in rules' }).getByRole('checkbox', { name: 'Required for managers' })).not.toBeChecked();
  }
});
