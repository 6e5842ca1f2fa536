import { expect, test } from '@playwright/test';
import { PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

test('an instructor adds an acknowledgement, a learner confirms it (also without the script), the instructor sees and exports who confirmed', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const instructor = uniqueEmail('teacher');
  await createUser(page.request, instructor, ['instructor']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await page.goto('/courses/new');
  await hydrated(page);
  await page.getByLabel('Title').fill('Fire safety');
  await page.getByLabel('Code').fill(`FIRE-${Date.now() % 100000}`);
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/courses\/\d+\/edit/);
  const courseId = page.url().match(/courses\/(\d+)/)![1];
  await hydrated(page);
  await page.getByLabel('New section').fill('Policies');
  await page.getByRole('button', { name: 'Add section' }).click();

  // The add-item form is drawn from the kind: an acknowledgement has a policy text and completes itself.
  await page.getByRole('button', { name: 'Add item to Policies' }).click();
  const form = page.locator('form.add-item');
  await form.getByLabel('Kind').selectOption('acknowledgement');
  await expect(form.getByText('Completes when the learner confirms the statement.')).toBeVisible();
  await expect(form.getByLabel('Completes')).toHaveCount(0);
  await form.getByLabel('Title').fill('Fire safety policy');
  await form.getByLabel('Policy text (Markdown)').fill('Keep **fire exits** clear at all times.');
  await form.getByRole('button', { name: 'Add item' }).click();
  await expect(form).toBeHidden();

  await page.getByRole('link', { name: 'Fire safety policy' }).click();
  await expect(page.getByRole('heading', { name: 'Edit acknowledgement' })).toBeVisible();
  const itemId = page.url().match(/items\/(\d+)/)![1];
  await hydrated(page);
  await page.getByLabel('Statement learners confirm').fill('I have read and understood the fire safety policy.');
  await page.getByRole('button', { name: 'Save statement' }).click();
  await expect(page.getByText('Saved.', { exact: true })).toBeVisible();

  await page.goto(`/courses/${courseId}/edit?tab=enrolment`);
  await hydrated(page);
  await page.getByLabel('Learners may enrol themselves').check();
  await page.getByRole('button', { name: 'Save enrolment settings' }).click();
  await expect(page.getByText('Enrolment settings saved.')).toBeVisible();
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('.badge-published')).toBeVisible();

  // A learner reads and confirms; the sidebar shows the item done.
  const learnerContext = await browser.newContext();
  const me = await learnerContext.newPage();
  const learner = uniqueEmail('learner');
  await createUser(me.request, learner, ['learner']);
  await signIn(me, learner, PASSWORD);
  await expect(me.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await me.goto(`/courses/${courseId}`);
  await hydrated(me);
  await me.getByRole('button', { name: 'Enrol' }).click();
  await expect(me.getByRole('button', { name: 'Enrol' })).toBeHidden();
  await me.goto(`/courses/${courseId}/learn/${itemId}`);
  await hydrated(me);
  await expect(me.locator('strong', { hasText: 'fire exits' })).toBeVisible();
  await expect(me.getByRole('button', { name: 'Mark as done' })).toHaveCount(0);
  await expect(me.getByText('I have read and understood the fire safety policy.')).toBeVisible();
  await me.getByRole('button', { name: 'I confirm' }).click();
  await expect(me.getByText(/You confirmed this on \d{4}-\d{2}-\d{2}/)).toBeVisible();
  await learnerContext.close();

  // A second learner confirms with JavaScript switched off: the plain form posts and comes back.
  const noScript = await browser.newContext({ javaScriptEnabled: false });
  const other = await noScript.newPage();
  const second = uniqueEmail('learner');
  await createUser(other.request, second, ['learner']);
  const signedIn = await other.request.post('/api/auth/sign_in', { form: { email: second, password: PASSWORD } });
  expect(signedIn.ok()).toBeTruthy();
  const enrolled = await other.request.post('/api/enrolments/self', { form: { course_id: courseId, key: '' } });
  expect(enrolled.ok(), await enrolled.text()).toBeTruthy();
  await other.goto(`/courses/${courseId}/learn/${itemId}`);
  await other.getByRole('button', { name: 'I confirm' }).click();
  await expect(other.getByText(/You confirmed this on/)).toBeVisible();
  await noScript.close();

  // The instructor sees both and exports them.
  await page.goto(`/courses/${courseId}/items/${itemId}/edit`);
  await hydrated(page);
  await expect(page.getByText('2 of 2 learners confirmed.')).toBeVisible();
  const csv = await page.request.get(`/acknowledgements/${itemId}/confirmations.csv`);
  expect(csv.ok()).toBeTruthy();
  const text = await csv.text();
  expect(text.split('\n')[0]).toBe('name,email,confirmed,confirmed_at,statement');
  expect(text).toContain(learner);
  expect(text).toContain(second);
  expect(text.match(/,yes,/g)?.length).toBe(2);
});
