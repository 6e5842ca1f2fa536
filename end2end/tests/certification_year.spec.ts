import { test, expect, APIRequestContext } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, call, createPerson, hydrated, publishedCourse, signIn, uniqueEmail } from './helpers';

/** A learner called `name` in `department`, reporting to `manager`, created by the administrator. */
async function person(request: APIRequestContext, email: string, name: string, department: string, manager = '') {
  const id = await createPerson(request, email, name);
  await call(request, 'users/save_profile', {
    id: String(id),
    'form[department]': department,
    'form[manager_email]': manager,
  });
}

/**
 * Moves the server's clock `days` days ahead of the real one (0 puts it back). Only a server
 * started with LYCEUM_TEST_CLOCK (as scripts/e2e.sh does) has this, and only an administrator
 * may use it.
 */
async function moveClock(request: APIRequestContext, days: number) {
  await call(request, 'auth/sign_in', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  const moved = await request.post('/admin/test-clock', { form: { days: String(days) } });
  expect(moved.ok(), await moved.text()).toBeTruthy();
  await request.post('/api/auth/sign_out');
}

async function signOut(page: import('@playwright/test').Page) {
  await page.locator('.user-menu summary').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

test('a year of certification: assigned to an audience, completed, certified, compliant on the team page; a year on, expired and reminded', async ({ page, browser, request }) => {
  test.setTimeout(240_000);
  const stamp = Date.now() % 1_000_000;
  const department = `Pharmacy ${stamp}`;
  const manager = uniqueEmail('pharmacy-boss');
  const learner = uniqueEmail('pharmacist');
  await person(request, manager, 'Mia Manager', department);
  await person(request, learner, 'Pia Pharmacist', department, manager);
  const title = `Controlled drugs ${stamp}`;
  const { courseId, itemId, code } = await publishedCourse(request, title, false);
  // The course issues a certificate on completion (the designer is covered by certificates.spec).
  await call(request, 'auth/sign_in', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  const template = await call(request, 'certificates/save_template', {
    'form[name]': `Pharmacy ${stamp}`,
    'form[orientation]': 'landscape',
    'form[heading]': 'Certificate of completion',
    'form[body]': '{learner}\n{title}',
    'form[accent]': '#0f766e',
  });
  await call(request, 'certificates/set_course', { course_id: String(courseId), template_id: String(template) });
  await request.post('/api/auth/sign_out');

  try {
    // The administrator makes an audience of the department and assigns the course to it: due in
    // 7 days, valid 12 months, reminded on the first day it is late.
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
    await page.goto('/admin/audiences/new');
    await hydrated(page);
    const audience = `${department} staff`;
    await page.getByLabel('Name', { exact: true }).fill(audience);
    await page.getByLabel('Rule 1 value').fill(department);
    await page.getByLabel('Rule 1 value').press('Tab');
    await expect(page.getByTestId('audience-count')).toHaveText('2 people match.');
    await page.getByRole('button', { name: 'Save audience' }).click();
    await expect(page).toHaveURL(/\/admin\/audiences\/\d+$/);

    await page.goto('/admin/requirements');
    await hydrated(page);
    const form = page.getByRole('region', { name: 'New requirement' });
    const name = `${title} yearly`;
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Find a course').fill(code);
    await form.getByLabel('Course', { exact: true }).selectOption({ label: `${title} (${code})` });
    await form.getByLabel('Days', { exact: true }).fill('7');
    await form.getByLabel('Valid for (months)').fill('12');
    await form.getByLabel('Renewal opens (days before expiry)').fill('30');
    await form.getByLabel('Due soon (days before)').fill('3');
    await form.getByLabel('Remind on the first overdue day').check();
    await form.getByLabel('Audience').selectOption({ label: `${audience} (2 people)` });
    await form.getByRole('button', { name: 'Assign requirement' }).click();
    await expect(form.getByText('Requirement saved; its people are assigned and enrolled.')).toBeVisible();
    await signOut(page);

    // The learner sees it under Required training, completes the course (its lesson completes
    // on view), and receives the certificate from the job queue.
    await signIn(page, learner, PASSWORD);
    const required = page.getByRole('region', { name: 'Required training' });
    await expect(required).toContainText(name);
    await expect(required).toContainText('Not started');
    await page.goto(`/courses/${courseId}/learn/${itemId}`);
    await hydrated(page);
    await expect(async () => {
      await page.goto('/certificates');
      await expect(page.getByRole('heading', { name: title })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    const card = page.getByRole('listitem').filter({ hasText: title });
    await expect(card).toContainText('Valid');
    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: 'Download PDF' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    const shareUrl = await card.getByLabel('Share link').inputValue();
    await page.goto(new URL(shareUrl).pathname);
    await expect(page.getByRole('status')).toContainText('This certificate is valid.');
    await page.goto('/');
    await expect(page.getByRole('region', { name: 'Required training' })).toContainText('Completed');
    await signOut(page);

    // The manager's team page shows her compliant.
    await signIn(page, manager, PASSWORD);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My team' }).click();
    await expect(page.getByRole('row', { name: /Pia Pharmacist/ })).toContainText('1 of 1 compliant');
    await signOut(page);

    // A year and a few days on, the nightly run (the worker polls every second) finds the
    // certification expired and reminds her; the certificate's page says it expired.
    await moveClock(request, 370);
    await signIn(page, learner, PASSWORD);
    // Signed in (the home page), before the loop below navigates away.
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
    await expect(async () => {
      await page.goto('/');
      await expect(page.getByRole('region', { name: 'Required training' })).toContainText('Expired', { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await page.goto('/notifications');
    await hydrated(page);
    await expect(page.getByTestId('notification').filter({ hasText: `“${name}” has expired` })).toBeVisible();
    await page.goto(new URL(shareUrl).pathname);
    await expect(page.getByRole('status')).toContainText('This certificate has expired');
    await signOut(page);
    await signIn(page, manager, PASSWORD);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My team' }).click();
    await expect(page.getByRole('row', { name: /Pia Pharmacist/ })).toContainText('0 of 1 compliant');
  } finally {
    await moveClock(request, 0);
  }
});
