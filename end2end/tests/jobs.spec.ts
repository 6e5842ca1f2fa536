import { expect, test } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, signIn, uniqueEmail, createUser } from './helpers';

test('an administrator sees the background jobs: mail is delivered by a job, listed under Done', async ({ page, request }) => {
  // A password reset queues its email's delivery as a job.
  const email = uniqueEmail('jobs');
  await createUser(request, email);
  const asked = await request.post('/api/auth/forgot_password', { form: { email }, headers: { Accept: 'application/json' } });
  expect(asked.ok(), await asked.text()).toBeTruthy();

  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
  await expect(page.getByRole('heading', { name: 'Background jobs', level: 1 })).toBeVisible();
  const states = page.getByRole('navigation', { name: 'Jobs by state' });
  // Failed jobs first: the ones that need someone.
  await expect(states.getByRole('link', { name: /^Failed \(\d+\)$/ })).toHaveAttribute('aria-current', 'page');
  // The worker runs the delivery within a few seconds.
  await expect(async () => {
    await page.goto('/admin/jobs?state=done');
    await expect(page.getByRole('cell', { name: /^mail\.deliver #\d+$/ }).first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(states.getByRole('link', { name: 'Done' })).toHaveAttribute('aria-current', 'page');
});
