import { expect, test } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, call, createUser, hydrated, publishedCourse, signIn, uniqueEmail } from './helpers';

test('programmes: an administrator orders two courses, adds a learner; the learner sees one bar and the next course, which moves on as they complete', async ({ page, browser, request }) => {
  test.setTimeout(120_000);
  const learner = uniqueEmail('programme');
  await createUser(request, learner);
  const first = await publishedCourse(request, `Hygiene ${Date.now() % 100000}`, false);
  const second = await publishedCourse(request, `Handling ${Date.now() % 100000}`, false);
  const name = `Induction ${Date.now()}`;

  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Programmes' }).click();
  await hydrated(page);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Courses, in order').fill(`${second.code}\nNOPE-1`);
  await page.getByRole('button', { name: 'Save programme' }).click();
  await expect(page.getByText('No course has the code NOPE-1.')).toBeVisible();
  await page.getByLabel('Courses, in order').fill(`${second.code}\n${first.code}`);
  await page.getByRole('button', { name: 'Save programme' }).click();
  await expect(page.getByText('Programme saved.')).toBeVisible();
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('All 2 courses');
  const adding = page.getByRole('region', { name: 'Add people to a programme' });
  await adding.getByLabel('Programme').selectOption({ label: name });
  await adding.getByLabel('Email addresses').fill(learner);
  await adding.getByRole('button', { name: 'Add people' }).click();
  await expect(adding.getByText('Added 1; they are enrolled in its courses.')).toBeVisible();
  await expect(row.getByRole('cell').nth(3)).toHaveText('1');

  const context = await browser.newContext();
  const me = await context.newPage();
  await signIn(me, learner, PASSWORD);
  const mine = me.getByRole('region', { name: 'My programmes' });
  await expect(mine).toContainText(name);
  await expect(mine.getByRole('progressbar', { name: 'Programme progress' })).toHaveAttribute('value', '0');
  await expect(mine).toContainText('0 of 2 done · All 2 courses');
  // The next course is the first in the programme's order; opening it (its one lesson
  // completes on view) completes it, and the next moves on.
  const next = mine.getByRole('link', { name: /Handling/ });
  await next.click();
  await hydrated(me);
  await me.goto(`/courses/${second.courseId}/learn/${second.itemId}`);
  await hydrated(me);
  await expect(async () => {
    await me.goto('/');
    await expect(me.getByRole('region', { name: 'My programmes' })).toContainText('1 of 2 done', { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(me.getByRole('region', { name: 'My programmes' }).getByRole('progressbar', { name: 'Programme progress' })).toHaveAttribute('value', '50');
  await expect(me.getByRole('region', { name: 'My programmes' }).getByText('Next course:')).toContainText('Hygiene');
  await context.close();
});

test('a programme as required training: the administrator assigns it to a learner, who finds it first on their home page and is on the programme', async ({ page, browser, request }) => {
  test.setTimeout(120_000);
  const learner = uniqueEmail('required-programme');
  await createUser(request, learner);
  const stamp = Date.now() % 1_000_000;
  const first = await publishedCourse(request, `Sepsis ${stamp}`, false);
  const second = await publishedCourse(request, `Falls ${stamp}`, false);
  const programme = `Ward induction ${stamp}`;
  await call(request, 'auth/sign_in', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  await call(request, 'programmes/save', {
    'form[name]': programme,
    'form[description]': '',
    'form[courses]': `${first.code}\n${second.code}`,
    'form[required_count]': '',
  });
  await request.post('/api/auth/sign_out');

  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.goto('/admin/requirements');
  await hydrated(page);
  const form = page.getByRole('region', { name: 'New requirement' });
  const name = `Induction ${stamp}`;
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('A programme').check();
  await expect(form.getByLabel('Course', { exact: true })).toBeHidden();
  await form.getByLabel('People (optional)').fill(learner);
  // Nothing chosen yet: said next to the programme list.
  await form.getByRole('button', { name: 'Assign requirement' }).click();
  await expect(form.getByText('Choose a course or a programme.')).toBeVisible();
  await form.getByLabel('Programme', { exact: true }).selectOption({ label: `${programme} (2 courses)` });
  await form.getByRole('button', { name: 'Assign requirement' }).click();
  await expect(form.getByText('Requirement saved; its people are assigned and enrolled.')).toBeVisible();
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText(programme);
  await row.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByText(`Programme “${programme}”`)).toBeVisible();

  const context = await browser.newContext();
  const me = await context.newPage();
  await signIn(me, learner, PASSWORD);
  const required = me.getByRole('region', { name: 'Required training' });
  await expect(required).toContainText(programme);
  await expect(required).toContainText('Not started');
  await required.getByRole('link', { name }).click();
  await expect(me).toHaveURL(/\/#programme-\d+$/);
  const mine = me.getByRole('region', { name: 'My programmes' });
  await expect(mine).toContainText(programme);
  await expect(mine).toContainText('0 of 2 done · All 2 courses');
  await context.close();
});
