import { test, expect } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, call, createUser, hydrated, publishedCourse, signIn, uniqueEmail } from './helpers';

test('mandatory training: assigned to a learner, listed for the administrator, first on the learner\'s home page', async ({ page, request }) => {
  const learner = uniqueEmail('required');
  await createUser(request, learner);
  const { courseId } = await publishedCourse(request, 'Fire safety basics', false);
  const name = `Fire safety ${Date.now()}`;
  await call(request, 'auth/sign_in', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  await call(request, 'requirements/create', {
    'form[name]': name,
    'form[course_id]': courseId,
    'form[due_kind]': 'after_assignment',
    'form[due_days]': '7',
    'form[valid_months]': '12',
    'form[window_days]': '30',
    'form[due_soon_days]': '3',
    'form[emails]': learner,
  });
  await request.post('/api/auth/sign_out');

  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Requirements' }).click();
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('Due 7 days after assignment; valid 12 months');
  // One person, not started: the "Not started" column counts them.
  await expect(row.getByRole('cell').nth(1)).toHaveText('1');
  await row.getByRole('link', { name }).click();
  await hydrated(page);
  // The page says which requirement it is and what it asks for.
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByText('Course “Fire safety basics” · Due 7 days after assignment')).toBeVisible();
  await expect(page.getByRole('table', { name: 'People and their status' })).toContainText('Not started');
  await page.getByRole('button', { name: 'Refresh now' }).click();
  await expect(page.getByRole('status').first()).toContainText('Brought up to date.');
  // An extension needs a reason, given next to the field; then the due date moves.
  const extended = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await page.getByRole('button', { name: 'Exception for Lena Learner' }).click();
  const exception = page.getByRole('region', { name: 'Exception for Lena Learner' });
  await exception.getByLabel('New due date').fill(extended);
  await exception.getByRole('button', { name: 'Save extension' }).click();
  await expect(exception.getByText('Give the reason, in at most 500 characters.')).toBeVisible();
  await exception.getByLabel('Reason').fill('Starts after the induction week');
  await exception.getByRole('button', { name: 'Save extension' }).click();
  await expect(page.getByRole('table', { name: 'People and their status' })).toContainText(`Extended to ${extended}.`);

  await page.locator('.user-menu summary').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, learner, PASSWORD);
  const required = page.getByRole('region', { name: 'Required training' });
  await expect(required).toContainText(name);
  await expect(required).toContainText('Not started');
  const due = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  await expect(required).toContainText(`due ${due}`);
  // Assignment enrolled them: the course opens.
  await required.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name: 'Fire safety basics', level: 1 })).toBeVisible();
});

test('compliance matrix: departments × requirements with a bar per cell, by audience, and the CSV', async ({ page, request }) => {
  const learner = uniqueEmail('matrix');
  await createUser(request, learner);
  const { courseId } = await publishedCourse(request, 'Matrix course', false);
  const name = `Infection control ${Date.now()}`;
  await call(request, 'auth/sign_in', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  await call(request, 'requirements/create', {
    'form[name]': name,
    'form[course_id]': courseId,
    'form[due_kind]': 'after_assignment',
    'form[due_days]': '30',
    'form[due_soon_days]': '3',
    'form[emails]': learner,
  });
  await request.post('/api/auth/sign_out');

  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Compliance' }).click();
  await hydrated(page);
  const matrix = page.getByRole('table', { name: 'Compliance by department' });
  await expect(matrix.getByRole('columnheader', { name })).toBeVisible();
  // The figures are computed in the background (queued when the requirement was made, and on
  // asking) and the page says when: the new column fills once the job has run.
  await page.getByRole('button', { name: 'Recompute now' }).click();
  await expect(page.getByText('Computing the figures again: reload the page in a moment.')).toBeVisible();
  const headers = await matrix.getByRole('columnheader').allTextContents();
  const cell = matrix.getByRole('row', { name: /Everyone/ }).locator('th, td').nth(headers.findIndex((h) => h.includes(name)));
  await expect(async () => {
    await page.reload();
    await expect(cell.getByRole('progressbar', { name: 'Compliant' })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId('matrix-computed')).toContainText('Figures as of');
  const csv = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
  expect(csv).toBe('/admin/compliance.csv?by=department');
  const download = await page.request.get(csv!);
  expect(download.ok()).toBeTruthy();
  expect(await download.text()).toContain(`Everyone,${name},`);
  await page.getByRole('link', { name: 'By audience' }).click();
  await expect(page).toHaveURL(/by=audience/);
  await expect(page.getByRole('link', { name: 'By audience' })).toHaveAttribute('aria-current', 'page');
});
