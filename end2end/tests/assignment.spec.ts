import { expect, test } from '@playwright/test';
import { PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

/** `datetime-local` text (UTC, as the form reads it) for a time `hoursFromNow` away. */
function utc(hoursFromNow: number): string {
  return new Date(Date.now() + hoursFromNow * 3600_000).toISOString().slice(0, 16);
}

test('a learner hands in late work with a file, it is graded with a rubric and released', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const instructor = uniqueEmail('teacher');
  await createUser(page.request, instructor, ['instructor']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await page.goto('/courses/new');
  await hydrated(page);
  await page.getByLabel('Title').fill('Cell biology essays');
  await page.getByLabel('Code').fill(`ESSAY-${Date.now() % 100000}`);
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/courses\/\d+\/edit/);
  const courseId = page.url().match(/courses\/(\d+)/)![1];
  await hydrated(page);
  await page.getByLabel('New section').fill('Week 1');
  await page.getByRole('button', { name: 'Add section' }).click();
  await page.getByRole('button', { name: 'Add item to Week 1' }).click();
  const form = page.locator('form.add-item');
  await form.getByLabel('Kind').selectOption('assignment');
  await form.getByLabel('Title').fill('Cell essay');
  await form.getByRole('button', { name: 'Add item' }).click();
  await expect(form).toBeHidden();

  // Instructions, a due date a day and two hours ago (late), a cut-off tomorrow, a rubric.
  await page.getByRole('link', { name: 'Cell essay' }).click();
  await expect(page.getByRole('heading', { name: 'Edit assignment' })).toBeVisible();
  const itemId = page.url().match(/items\/(\d+)/)![1];
  await hydrated(page);
  await page.getByLabel('Instructions (Markdown)').fill('Explain **why cells divide**, with sources.');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved.', { exact: true })).toBeVisible();
  await page.getByLabel('Due', { exact: true }).fill(utc(-26));
  await page.getByLabel('Cut-off', { exact: true }).fill(utc(24));
  await page.getByLabel('Late penalty per started day (%)').fill('10');
  await page.getByLabel('A rubric (criteria and levels)').check();
  const rubric = [
    ['Argument', '0', 'Unclear', '10', 'Convincing'],
    ['Sources', '0', 'None', '6', 'Thorough'],
  ];
  for (const [i, [criterion, p1, d1, p2, d2]] of rubric.entries()) {
    const n = i + 1;
    await page.getByLabel(`Criterion ${n}: what it assesses`).fill(criterion);
    await page.getByLabel(`Criterion ${n}, level 1: points`).fill(p1);
    await page.getByLabel(`Criterion ${n}, level 1: description`).fill(d1);
    await page.getByLabel(`Criterion ${n}, level 2: points`).fill(p2);
    await page.getByLabel(`Criterion ${n}, level 2: description`).fill(d2);
  }
  await expect(page.getByText('Points possible: 16')).toBeVisible();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Assignment settings saved.')).toBeVisible();

  await page.goto(`/courses/${courseId}/edit?tab=enrolment`);
  await hydrated(page);
  await page.getByLabel('Learners may enrol themselves').check();
  await page.getByRole('button', { name: 'Save enrolment settings' }).click();
  await expect(page.getByText('Enrolment settings saved.')).toBeVisible();
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('.badge-published')).toBeVisible();

  // The learner writes; a save that cannot reach the server is kept and restored after a reload.
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
  await expect(me.locator('strong', { hasText: 'why cells divide' })).toBeVisible();
  await expect(me.getByText(/The due date has passed/)).toBeVisible();
  const answer = me.getByLabel('Your answer');
  await answer.fill('Cells divide to grow.');
  await expect(me.getByText('All changes saved.')).toBeVisible();
  await me.route('**/api/assignments/save_draft', (route) => route.abort());
  await answer.fill('Cells divide to grow and to repair tissue.');
  await expect(me.getByText(/Not saved yet: the connection seems to be down/)).toBeVisible();
  await me.reload();
  await hydrated(me);
  await expect(me.getByText(/Restored text you typed earlier/)).toBeVisible();
  await expect(answer).toHaveValue('Cells divide to grow and to repair tissue.');
  await me.unroute('**/api/assignments/save_draft');
  await expect(me.getByText('All changes saved.')).toBeVisible({ timeout: 20_000 });

  // A file, then hand in.
  await me.getByLabel('Add a file').setInputFiles({
    name: 'sources.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.7\n% the learner sources\n'),
  });
  await me.getByRole('button', { name: 'Upload' }).click();
  await expect(me.getByText('Added sources.pdf.')).toBeVisible();
  await hydrated(me);
  await expect(answer).toHaveValue('Cells divide to grow and to repair tissue.');
  const sidebar = me.getByRole('complementary', { name: 'Course outline' });
  const progress = sidebar.getByRole('progressbar', { name: 'Course progress' });
  await expect(sidebar.locator('li.current')).not.toHaveClass(/done/);
  await expect(progress).toHaveAttribute('value', '0');
  await me.getByRole('button', { name: 'Hand in…' }).click();
  await expect(me.getByRole('alertdialog', { name: 'Hand in your work?' })).toBeVisible();
  await me.getByRole('button', { name: 'Hand in now' }).click();
  await expect(me.getByRole('status').filter({ hasText: /Submitted .* late by 1 day 2 hours/ })).toBeVisible();
  await expect(me.getByRole('link', { name: 'sources.pdf' })).toBeVisible();
  // The outline and the progress follow the hand-in at once, without a reload.
  await expect(sidebar.locator('li.current')).toHaveClass(/done/);
  await expect(sidebar.locator('li.current')).toContainText('(completed)');
  await expect(progress).toHaveAttribute('value', '100');
  await expect(me.getByText('✓ Done')).toBeVisible();

  // The instructor finds it under "Late", grades with the rubric, adds a feedback file.
  await page.goto(`/courses/${courseId}/assignments/${itemId}/submissions?filter=late`);
  await hydrated(page);
  await expect(page.getByText('Grades are hidden')).toBeVisible();
  await page.getByRole('link', { name: 'Grade Lena Learner' }).click();
  await expect(page.getByRole('heading', { name: 'Lena Learner: Cell essay' })).toBeVisible();
  await hydrated(page);
  await expect(page.getByText('The late rule takes 20 % off the grade.')).toBeVisible();
  await page.getByRole('group', { name: /^Argument/ }).getByLabel('10 — Convincing').check();
  await page.getByRole('group', { name: /^Sources/ }).getByLabel('0 — None').check();
  await expect(page.getByText('Rubric total: 10 / 16')).toBeVisible();
  await page.getByLabel('Feedback', { exact: true }).fill('A clear argument; **cite your sources**.');
  await page.getByRole('button', { name: 'Save grade' }).click();
  await expect(page.getByText('Grade saved: 8 / 16.')).toBeVisible();
  await page.getByLabel('Add a feedback file').setInputFiles({
    name: 'marked.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.7\n% marked up\n'),
  });
  await page.getByRole('button', { name: 'Upload' }).click();
  await expect(page.getByRole('link', { name: 'marked.pdf' })).toBeVisible();

  // Every submission as one zip.
  await page.goto(`/courses/${courseId}/assignments/${itemId}/submissions`);
  await hydrated(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download all (zip)' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('Cell essay-submissions.zip');
  const zipped = await (await download.createReadStream()).toArray();
  const bytes = Buffer.concat(zipped);
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
  expect(bytes.includes(Buffer.from('sources.pdf'))).toBeTruthy();

  // Nothing shows before release.
  await me.reload();
  await hydrated(me);
  await expect(me.getByRole('heading', { name: 'Your grade' })).toBeHidden();
  await page.getByRole('button', { name: 'Release grades to learners' }).click();
  await expect(page.getByText('Grades are released')).toBeVisible();

  await me.reload();
  await hydrated(me);
  await expect(me.getByRole('heading', { name: 'Your grade' })).toBeVisible();
  await expect(me.getByText('8 / 16', { exact: true })).toBeVisible();
  await expect(me.getByText('Handed in late: 20 % taken off (10 before the penalty).')).toBeVisible();
  await expect(me.getByRole('table', { name: 'Rubric' }).getByRole('row', { name: /Argument Convincing 10 \/ 10/ })).toBeVisible();
  await expect(me.locator('.grade-view strong', { hasText: 'cite your sources' })).toBeVisible();
  await expect(me.getByRole('link', { name: 'marked.pdf' })).toBeVisible();
  await me.goto(`/courses/${courseId}/grades`);
  await expect(me.getByRole('cell', { name: '8 / 16' })).toBeVisible();
  await learnerContext.close();
});
