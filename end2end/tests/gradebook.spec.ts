import { APIRequestContext, expect, test } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

/** A user's id, looked up by the administrator. */
async function userId(request: APIRequestContext, email: string): Promise<number> {
  await request.post('/api/auth/sign_in', { form: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  const reply = await request.post('/api/users/list', { form: { 'query[search]': email, 'query[page]': '1' } });
  expect(reply.ok(), await reply.text()).toBeTruthy();
  const page = await reply.json();
  await request.post('/api/auth/sign_out');
  return page.items[0].id;
}

test('two graders editing the same cell see the conflict; the learner sees the grade and total', async ({ page, browser, request }) => {
  test.setTimeout(120_000);
  const [teacher, assistant, learner] = [uniqueEmail('teacher'), uniqueEmail('ta'), uniqueEmail('learner')];
  await createUser(request, teacher, ['instructor']);
  await createUser(request, assistant, ['learner']);
  await createUser(request, learner, ['learner']);
  const [assistantId, learnerId] = [await userId(request, assistant), await userId(request, learner)];

  // The instructor makes a course, adds the assistant and the learner, and a graded item.
  await signIn(page, teacher, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await page.goto('/courses/new');
  await hydrated(page);
  await page.getByLabel('Title').fill('Essay writing');
  await page.getByLabel('Code').fill(`ESSAY-${Date.now() % 100000}`);
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/courses\/\d+\/edit/);
  const courseId = page.url().match(/courses\/(\d+)/)![1];
  await hydrated(page);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('.badge-published')).toBeVisible();
  for (const [id, role] of [[assistantId, 'assistant'], [learnerId, 'learner']] as const) {
    const added = await page.request.post('/api/enrolments/add', { form: { course_id: courseId, user_id: String(id), role } });
    expect(added.ok(), await added.text()).toBeTruthy();
  }
  await page.getByRole('link', { name: 'Gradebook' }).click();
  await expect(page.getByRole('heading', { name: 'Gradebook' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Name', { exact: true }).fill('Essay 1');
  await page.getByLabel('Points possible').fill('20');
  await page.getByRole('button', { name: 'Add item' }).click();
  const teacherCell = page.getByRole('textbox', { name: 'Lena Learner Essay 1 (out of 20)' });
  await expect(teacherCell).toBeVisible();

  // The assistant opens the same table before the instructor saves.
  const taContext = await browser.newContext();
  const ta = await taContext.newPage();
  await signIn(ta, assistant, PASSWORD);
  await expect(ta.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await ta.goto(`/courses/${courseId}/gradebook`);
  await hydrated(ta);
  const taCell = ta.getByRole('textbox', { name: 'Lena Learner Essay 1 (out of 20)' });
  await expect(taCell).toHaveValue('');

  await teacherCell.fill('15');
  await teacherCell.press('Tab');
  await expect(page.getByText('✓ Saved')).toBeVisible();
  await expect(page.getByRole('cell', { name: '75 % (C)' })).toBeVisible();

  // The assistant's change was made from the older version: refused, with the newer value.
  await taCell.fill('12');
  await taCell.press('Tab');
  await expect(ta.getByRole('alert').filter({ hasText: 'it is now 15' })).toBeVisible();
  await ta.getByRole('button', { name: 'Reload' }).click();
  await expect(taCell).toHaveValue('15');
  await taCell.fill('16');
  await taCell.press('Tab');
  await expect(ta.getByText('✓ Saved')).toBeVisible();
  await taContext.close();

  // The learner sees the grade and the course total.
  const learnerContext = await browser.newContext();
  const me = await learnerContext.newPage();
  await signIn(me, learner, PASSWORD);
  await expect(me.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await me.goto(`/courses/${courseId}/grades`);
  await expect(me.getByRole('cell', { name: '16 / 20' })).toBeVisible();
  await expect(me.getByText('Course total: 80 % (B-)')).toBeVisible();

  // The instructor writes feedback in the cell's panel, which also shows who changed what.
  await page.getByRole('button', { name: 'Reload' }).click();
  await expect(teacherCell).toHaveValue('16');
  // A cell's Details button appears once the cell has focus (so a page of 600 cells stays light).
  await teacherCell.focus();
  await page.getByRole('button', { name: 'Details for Lena Learner, Essay 1' }).click();
  const panel = page.getByRole('region', { name: 'Lena Learner: Essay 1' });
  await panel.getByLabel('Feedback for the learner').fill('Strong thesis; tighten the conclusion.');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(panel.getByText('Saved.')).toBeVisible();
  await expect(panel.getByRole('table', { name: 'Changes to this grade, newest first' }).locator('tbody tr')).toHaveCount(3);
  await panel.getByRole('button', { name: 'Close' }).click();

  // A CSV import: checked first (a line for someone not in the course is reported), then applied.
  await page.getByLabel('Or paste the CSV').fill(`email,name,Essay 1 (20)\n${learner},Lena,18\nnobody@example.com,Who,3\n`);
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.getByText('1 change, 0 grades already as in the file, 1 problem.')).toBeVisible();
  await expect(page.getByRole('table', { name: /Problems/ })).toContainText('nobody@example.com');
  await page.getByRole('button', { name: 'Apply 1 change' }).click();
  await expect(page.getByText('1 grade imported.')).toBeVisible();
  await expect(teacherCell).toHaveValue('18');

  await me.reload();
  await expect(me.getByRole('cell', { name: '18 / 20' })).toBeVisible();
  await expect(me.getByText('Course total: 90 % (A-)')).toBeVisible();
  await expect(me.getByText('Strong thesis; tighten the conclusion.')).toBeVisible();

  // Hidden items disappear from the learner's grades.
  await page.getByRole('button', { name: 'Hide “Essay 1” from learners' }).click();
  await expect(page.getByText('Hidden from learners')).toBeVisible();
  await me.reload();
  await expect(me.getByRole('heading', { name: 'My grades' })).toBeVisible();
  await expect(me.getByRole('cell', { name: '18 / 20' })).toBeHidden();
  await learnerContext.close();
});
