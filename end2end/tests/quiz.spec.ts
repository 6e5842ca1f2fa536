import { Browser, Page, expect, test } from '@playwright/test';
import { PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

const GIFT = `::Cell unit:: What is the basic unit of life? {=The cell ~The atom ~The organ}

::Powerhouse:: Which organelle makes most of a cell's energy? {=mitochondri*}

::Chromosomes:: How many chromosomes does a human body cell have? {#46}

::Explain:: Explain why cells divide. {}
`;

/** An instructor builds a published, open course with a four-question quiz through the pages. */
async function buildQuizCourse(page: Page, timeLimitMinutes: string) {
  const instructor = uniqueEmail('teacher');
  await createUser(page.request, instructor, ['instructor']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await page.goto('/courses/new');
  await hydrated(page);
  await page.getByLabel('Title').fill('Cell biology quiz');
  await page.getByLabel('Code').fill(`QUIZ-${Date.now() % 100000}`);
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/courses\/\d+\/edit/);
  const courseId = page.url().match(/courses\/(\d+)/)![1];
  await hydrated(page);
  await page.getByLabel('New section').fill('Week 1');
  await page.getByRole('button', { name: 'Add section' }).click();
  await page.getByRole('button', { name: 'Add item to Week 1' }).click();
  const form = page.locator('form.add-item');
  await form.getByLabel('Kind').selectOption('quiz');
  await form.getByLabel('Title').fill('Cell quiz');
  await form.getByRole('button', { name: 'Add item' }).click();
  await expect(form).toBeHidden();

  // The bank: a broken file is reported by line and nothing is imported; the good one imports.
  await page.getByRole('link', { name: 'Question bank' }).click();
  await expect(page.getByRole('heading', { name: 'Question bank' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Or paste the questions').fill('::Good:: Fine? {T}\n\n::Bad:: Never closed {=a ~b\n');
  await page.getByRole('button', { name: 'Check the questions' }).click();
  const problems = page.getByRole('table', { name: 'Problems' });
  await expect(problems.locator('tbody tr')).toHaveCount(1);
  await expect(problems.locator('tbody tr td').first()).toHaveText('3');
  await expect(page.getByRole('button', { name: 'Skip the problems and import 1 question' })).toBeVisible();
  await page.getByLabel('Or paste the questions').fill(GIFT);
  await page.getByRole('button', { name: 'Check the questions' }).click();
  await expect(page.getByText('Ready to import: 4 questions; 0 problems found.')).toBeVisible();
  await page.getByRole('button', { name: 'Import 4 questions' }).click();
  await expect(page.getByText('4 questions imported.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Powerhouse' })).toBeVisible();

  // The quiz: all four questions, a time limit.
  await page.goto(`/courses/${courseId}/edit`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Cell quiz' }).click();
  await expect(page.getByRole('heading', { name: 'Edit quiz' })).toBeVisible();
  const itemId = page.url().match(/items\/(\d+)/)![1];
  await hydrated(page);
  await page.getByText('Add questions from the bank').click();
  for (const name of ['Cell unit', 'Powerhouse', 'Chromosomes', 'Explain']) {
    await page.getByLabel(new RegExp(`^${name} \\(`)).check();
  }
  await page.getByRole('button', { name: 'Add 4 selected' }).click();
  await expect(page.getByText('Total marks: 4')).toBeVisible();
  // The picker marks what the quiz already has: ticked, disabled, and said in words.
  await page.locator('details.add-questions').evaluate((d) => ((d as HTMLDetailsElement).open = true));
  const added = page.getByRole('checkbox', { name: /^Powerhouse \(.*Already in this quiz/ });
  await expect(added).toBeDisabled();
  await expect(added).toBeChecked();
  await expect(page.getByRole('button', { name: 'Add 0 selected' })).toBeDisabled();
  await page.getByLabel('Time limit in minutes').fill(timeLimitMinutes);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Quiz settings saved.')).toBeVisible();

  await page.goto(`/courses/${courseId}/edit?tab=enrolment`);
  await hydrated(page);
  await page.getByLabel('Learners may enrol themselves').check();
  await page.getByRole('button', { name: 'Save enrolment settings' }).click();
  await expect(page.getByText('Enrolment settings saved.')).toBeVisible();
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('.badge-published')).toBeVisible();
  return { courseId, itemId };
}

/** A learner in a separate browser context (so it can go offline alone) starts the quiz. */
async function learnerStarts(browser: Browser, courseId: string, itemId: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const learner = uniqueEmail('learner');
  await createUser(page.request, learner, ['learner']);
  await signIn(page, learner, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await page.goto(`/courses/${courseId}`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Enrol' }).click();
  await expect(page.getByRole('button', { name: 'Enrol' })).toBeHidden();
  await page.goto(`/courses/${courseId}/learn/${itemId}`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Start the quiz' }).click();
  await expect(page).toHaveURL(/\/attempts\/\d+$/);
  await hydrated(page);
  return { context, page };
}

function question(page: Page, n: number) {
  return page.getByRole('group', { name: new RegExp(`^Question ${n} `) });
}

test('answers survive going offline and a reload; the essay is graded and the learner sees the mark', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const { courseId, itemId } = await buildQuizCourse(page, '10');
  const { context, page: learner } = await learnerStarts(browser, courseId, itemId);
  await expect(learner.getByRole('timer')).toContainText(/Time left: (10:00|9:5\d)/);

  await question(learner, 1).getByLabel('The cell').check();
  await expect(learner.getByText('All answers saved.')).toBeVisible();
  await expect(learner.getByRole('link', { name: 'Question 1, answered' })).toBeVisible();
  await expect(learner.getByText('3 unanswered')).toBeVisible();

  // The connection drops while answering: answers stay on the device.
  await context.setOffline(true);
  await question(learner, 2).getByLabel('Answer').fill('Mitochondria');
  await question(learner, 3).getByLabel('Answer').fill('45');
  await question(learner, 4).getByLabel('Your answer').fill('Cells divide to grow and to repair tissue.');
  await expect(learner.getByText(/Offline: 3 answers kept on this device/)).toBeVisible();
  await expect(learner.getByText('0 unanswered')).toBeVisible();
  await context.setOffline(false);
  await expect(learner.getByText('All answers saved.')).toBeVisible();

  // Reopening the attempt shows every answer from the server.
  await learner.reload();
  await hydrated(learner);
  await expect(question(learner, 1).getByLabel('The cell')).toBeChecked();
  await expect(question(learner, 2).getByLabel('Answer')).toHaveValue('Mitochondria');
  await expect(question(learner, 4).getByLabel('Your answer')).toHaveValue('Cells divide to grow and to repair tissue.');

  // A change that cannot be sent is restored from the device after a reload, then sent.
  await learner.route('**/api/attempts/save', (route) => route.abort());
  await question(learner, 3).getByLabel('Answer').fill('46');
  await expect(learner.getByText(/Offline: 1 answer kept on this device/)).toBeVisible();
  await learner.reload();
  await hydrated(learner);
  await expect(learner.getByText('Restored from this device: 1 answer not yet sent.')).toBeVisible();
  await expect(question(learner, 3).getByLabel('Answer')).toHaveValue('46');
  await learner.unroute('**/api/attempts/save');
  await expect(learner.getByText('All answers saved.')).toBeVisible();

  // Confirm, submit: auto-marked at once, the essay waits.
  await learner.getByRole('button', { name: 'Finish attempt…' }).click();
  await expect(learner.getByRole('alertdialog')).toContainText('Every question has an answer.');
  await learner.getByRole('button', { name: 'Submit all and finish' }).click();
  await expect(learner).toHaveURL(/\/attempts\/\d+\/review$/);
  await expect(learner.getByText('Waiting for grading').first()).toBeVisible();
  await expect(learner.getByRole('heading', { name: 'Question 3 (Numeric): 1 / 1' })).toBeVisible();

  // The instructor grades the essay from the queue.
  await page.goto(`/courses/${courseId}/grading`);
  await hydrated(page);
  await page.getByRole('link', { name: /^Grade / }).click();
  await hydrated(page);
  const essay = page.getByRole('region', { name: /Question 4 \(Essay\)/ });
  await essay.getByLabel('Mark (out of 1)').fill('0.5');
  await essay.getByLabel('Comment for the learner').fill('Good start: name mitosis.');
  await essay.getByRole('button', { name: 'Save mark' }).click();
  await expect(page.getByText('Mark saved.')).toBeVisible();
  await page.goto(`/courses/${courseId}/grading`);
  await expect(page.getByText('Nothing is waiting for a mark.')).toBeVisible();

  // The learner sees the mark and the comment.
  await learner.reload();
  await expect(learner.getByText('3.5 / 4 points (87.5 %)')).toBeVisible();
  await expect(learner.getByText('Good start: name mitosis.')).toBeVisible();
  // One scale: the gradebook and the learner's quiz page say the same 3.5 of 4 points.
  await learner.goto(`/courses/${courseId}/learn/${itemId}`);
  await expect(learner.getByText('Your grade: 3.5 / 4 points (87.5 %)')).toBeVisible();
  await page.goto(`/courses/${courseId}/gradebook`);
  await hydrated(page);
  await expect(page.getByRole('textbox', { name: /^Lena Learner:? Cell quiz \(out of 4\)/ })).toHaveValue('3.5');
  await context.close();

  // The dashboard: nothing left to grade; the quiz's statistics, readable on a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/courses/${courseId}/dashboard`);
  await hydrated(page);
  await expect(page.getByText('Nothing is waiting for a grade.')).toBeVisible();
  await expect(page.getByText('No learner is at risk by these measures.')).toBeVisible();
  await page.getByLabel('Quiz', { exact: true }).selectOption({ label: 'Cell quiz' });
  await page.getByRole('button', { name: 'Show statistics' }).click();
  await expect(page).toHaveURL(/quiz=\d+/);
  const stats = page.getByRole('region', { name: 'Statistics: Cell quiz' });
  await expect(stats.getByText('87.5 %').first()).toBeVisible();
  const chart = stats.getByRole('img', { name: /Scores in “Cell quiz”/ });
  await expect(chart).toBeVisible();
  const box = await chart.boundingBox();
  expect(box!.width).toBeLessThanOrEqual(390);
  await expect(stats.getByRole('row', { name: /^Explain 1 1 50\.0/ })).toBeVisible();
  await expect(stats.getByRole('row', { name: /^Cell unit 1 1 100\.0/ })).toBeVisible();
});

test('when time runs out the attempt is submitted with the answers given so far', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const { courseId, itemId } = await buildQuizCourse(page, '0.5');
  const { context, page: learner } = await learnerStarts(browser, courseId, itemId);
  await question(learner, 1).getByLabel('The cell').check();
  await question(learner, 3).getByLabel('Answer').fill('46');
  await expect(learner.getByText('All answers saved.')).toBeVisible();
  // No click: the countdown reaches zero and the attempt is submitted.
  await expect(learner).toHaveURL(/\/attempts\/\d+\/review$/, { timeout: 60_000 });
  await expect(learner.getByText('(automatically, when time ran out)')).toBeVisible();
  await expect(learner.getByRole('heading', { name: 'Question 1 (Multiple choice): 1 / 1' })).toBeVisible();
  await expect(learner.getByRole('heading', { name: 'Question 2 (Short answer): 0 / 1' })).toBeVisible();
  await context.close();
});
