import { APIRequestContext, Browser, Locator, Page, expect, test } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, createUser, expectNoAxeViolations, hydrated, signIn, uniqueEmail } from './helpers';

// Issue 11, "What trying it as a new user found" 3, 7, 9, 10 and 11, on a phone-sized screen: form
// controls of one normal height, plural copy, accessible names that contain what a button shows, the
// learner's grades table, and a gradebook that says it scrolls sideways.
const PHONE = { width: 390, height: 844 };
test.use({ viewport: PHONE });

/** A text control of normal height (the bug: ~95 px squares) and a sensible width. */
async function expectControlSize(control: Locator, minWidth: number, maxWidth: number) {
  const box = await control.boundingBox();
  expect(box, 'the control is on screen').not.toBeNull();
  expect(box!.height).toBeGreaterThanOrEqual(28);
  expect(box!.height).toBeLessThan(48);
  expect(box!.width).toBeGreaterThanOrEqual(minWidth);
  expect(box!.width).toBeLessThanOrEqual(maxWidth);
}

/** A user's id, looked up by the administrator. */
async function userId(request: APIRequestContext, email: string): Promise<number> {
  await request.post('/api/auth/sign_in', { form: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  const reply = await request.post('/api/users/list', { form: { 'query[search]': email, 'query[page]': '1' } });
  expect(reply.ok(), await reply.text()).toBeTruthy();
  const list = await reply.json();
  await request.post('/api/auth/sign_out');
  return list.items[0].id;
}

/** Calls a server function as whoever `page` is signed in as and returns its JSON answer. */
async function call(page: Page, path: string, form: Record<string, string>) {
  const reply = await page.request.post(path, { form });
  expect(reply.ok(), `${path}: ${await reply.text()}`).toBeTruthy();
  return reply.json();
}

async function callJson(page: Page, path: string, data: unknown) {
  const reply = await page.request.post(path, { data });
  expect(reply.ok(), `${path}: ${await reply.text()}`).toBeTruthy();
  return reply.json();
}

/** An instructor with a new published course, and a learner in it (signed in on its own page). */
async function courseWithLearner(page: Page, browser: Browser, prefix: string) {
  const [teacher, learner] = [uniqueEmail(`${prefix}-teacher`), uniqueEmail(`${prefix}-learner`)];
  await createUser(page.request, teacher, ['instructor']);
  await createUser(page.request, learner, ['learner']);
  const learnerId = await userId(page.request, learner);

  await signIn(page, teacher, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await page.goto('/courses/new');
  await hydrated(page);
  await page.getByLabel('Title').fill('Phone-sized course');
  await page.getByLabel('Code').fill(`UX-${Date.now() % 1000000}`);
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/courses\/\d+\/edit/);
  const courseId = page.url().match(/courses\/(\d+)/)![1];
  await call(page, '/api/courses/set_state', { id: courseId, state: 'published' });
  await call(page, '/api/enrolments/add', { course_id: courseId, user_id: String(learnerId), role: 'learner' });

  const context = await browser.newContext({ viewport: PHONE });
  const me = await context.newPage();
  await signIn(me, learner, PASSWORD);
  await expect(me.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  return { courseId, learnerId, me, context };
}

test('the gradebook on a phone: compact cells, a sticky learner column, a labelled scroll region that says it scrolls', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const { courseId, me, context } = await courseWithLearner(page, browser, 'gb');
  for (const name of ['Essay 1', 'Essay 2', 'Essay 3', 'Essay 4']) {
    await call(page, '/api/grades/add_item', { course_id: courseId, category_id: '', name, max_points: '20', extra_credit: 'false' });
  }

  await page.goto(`/courses/${courseId}/gradebook`);
  await hydrated(page);
  const region = page.getByRole('region', { name: 'Grades: learners in rows, items in columns' });
  await expect(region).toBeVisible();
  await expect(region).toHaveAttribute('tabindex', '0');
  // Four items do not fit 390 px: the table overflows, and the page says so in words and with a
  // shaded edge on the right.
  expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth)).toBeTruthy();
  await expect(page.getByText('Scroll sideways for more items')).toBeVisible();
  const edge = await page.locator('.grader-scroller').evaluate((el) => Number(getComputedStyle(el, '::after').opacity));
  expect(edge).toBeGreaterThan(0.5);
  // The learner column stays while the items scroll under it.
  const learnerCell = page.getByRole('rowheader', { name: /Lena Learner/ });
  expect(await learnerCell.evaluate((el) => getComputedStyle(el).position)).toBe('sticky');
  await region.evaluate((el) => el.scrollBy(200, 0));
  await expect.poll(() => region.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
  const regionBox = (await region.boundingBox())!;
  const stuck = (await learnerCell.boundingBox())!;
  expect(Math.abs(stuck.x - regionBox.x)).toBeLessThan(3);
  await region.evaluate((el) => el.scrollTo(0, 0));

  // A cell: a normal-height, narrow text box.
  const cell = page.getByRole('textbox', { name: 'Lena Learner Essay 1 (out of 20)' });
  await expectControlSize(cell, 56, 100);
  await cell.fill('15');
  await cell.press('Tab');
  await expect(page.getByText('✓ Saved')).toBeVisible();

  // The Details button's accessible name starts with what it shows.
  await cell.focus();
  const details = page.getByRole('button', { name: 'Details for Lena Learner, Essay 1' });
  await expect(details).toBeVisible();
  await expect(details).toHaveText('Details');
  await expect(details).toHaveAccessibleName(/^Details\b/);
  await expectNoAxeViolations(page);

  // The cell's panel: its points box is short and narrow (it was a 7rem square).
  await details.click();
  const panel = page.getByRole('region', { name: 'Lena Learner: Essay 1' });
  await expectControlSize(panel.getByLabel('Points (out of 20)'), 80, 140);
  await panel.getByRole('button', { name: 'Close' }).click();

  // The dashboard's number boxes too.
  await page.goto(`/courses/${courseId}/dashboard`);
  await hydrated(page);
  await expectControlSize(page.getByLabel('Course total below (%)'), 80, 140);
  await expect(page.getByText('1 active learner.')).toBeVisible();

  await context.close();
});

test('My grades: a styled table with no empty Category column, until the course has categories', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const { courseId, learnerId, me, context } = await courseWithLearner(page, browser, 'mine');
  const itemId = await call(page, '/api/grades/add_item', { course_id: courseId, category_id: '', name: 'Lab report', max_points: '10', extra_credit: 'false' });
  await callJson(page, '/api/grades/save_cell', {
    grade_item_id: itemId,
    user_id: learnerId,
    edit: { points: '7', excused: false, feedback: null, reason: '', version: 0 },
  });

  await me.goto(`/courses/${courseId}/grades`);
  await hydrated(me);
  const table = me.getByRole('table', { name: 'Your grades in this course' });
  await expect(table.getByRole('cell', { name: '7 / 10' })).toBeVisible();
  await expect(table.getByRole('columnheader')).toHaveText(['Item', 'Grade', 'Feedback']);
  // The shared table styles: collapsed borders and a shaded header.
  expect(await table.evaluate((el) => getComputedStyle(el).borderCollapse)).toBe('collapse');
  const header = await table.locator('thead th').first().evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(header).not.toBe('rgba(0, 0, 0, 0)');
  await expectNoAxeViolations(me);

  // With a category, the column appears.
  const categoryId = await call(page, '/api/grades/add_category', { course_id: courseId, name: 'Labs', weight: '0', drop_lowest: '0' });
  await call(page, '/api/grades/add_item', { course_id: courseId, category_id: String(categoryId), name: 'Field trip', max_points: '5', extra_credit: 'false' });
  await me.reload();
  await expect(table.getByRole('columnheader')).toHaveText(['Item', 'Category', 'Grade', 'Feedback']);
  await expect(table.getByRole('cell', { name: 'Labs' })).toBeVisible();
  await context.close();
});

test('a quiz on a phone: plural copy, questions whose titles sit inside their cards, buttons apart from them', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const { courseId, me, context } = await courseWithLearner(page, browser, 'quiz');
  const sectionId = await call(page, '/api/courses/add_section', { course_id: courseId, title: 'Week 1' });
  const itemId = await call(page, '/api/items/add', {
    section_id: String(sectionId),
    'form[kind]': 'quiz', 'form[title]': 'Short quiz', 'form[body]': '', 'form[url]': '', 'form[file_id]': '',
    'form[required]': 'true', 'form[hidden]': 'false', 'form[completion]': '',
  });
  const categories = await call(page, '/api/questions/categories', { course_id: courseId });
  const gift = '::Sky:: The sky is blue on a clear day. {T}\n\n::Capital:: What is the capital of France? {=Paris}\n';
  await call(page, '/api/questions/import', { course_id: courseId, format: 'gift', text: gift, category_id: String(categories[0].id), only_valid: 'false' });
  const bank = await callJson(page, '/api/questions/list', { course_id: Number(courseId), query: { category_id: null, search: '', page: 1 } });
  await callJson(page, '/api/quizzes/add_questions', { item_id: itemId, question_ids: bank.items.map((q: { id: number }) => q.id) });

  // The quiz's editor: its date-time fields are controls like the others, not tiny boxes.
  await page.goto(`/courses/${courseId}/items/${itemId}/edit`);
  await hydrated(page);
  const opens = page.getByLabel('Opens (UTC)');
  await expectControlSize(opens, 150, 300);
  const title = page.getByLabel('Time limit in minutes');
  const [opensBox, textBox] = [(await opens.boundingBox())!, (await title.boundingBox())!];
  expect(Math.abs(opensBox.height - textBox.height)).toBeLessThan(2);
  await expect(page.getByText('Completes when the learner submits an attempt.')).toBeVisible();
  await expect(page.getByText('if the quiz has one')).toHaveCount(0);

  await me.goto(`/courses/${courseId}/learn/${itemId}`);
  await hydrated(me);
  await expect(me.getByText('2 questions.')).toBeVisible();
  await me.getByRole('button', { name: 'Start the quiz' }).click();
  await expect(me).toHaveURL(/\/attempts\/\d+$/);
  await hydrated(me);

  const first = me.getByRole('group', { name: /^Question 1 / });
  const second = me.getByRole('group', { name: /^Question 2 / });
  await expect(first).toHaveAccessibleName(/1 mark\)$/);
  // Each title is inside its card (a legend otherwise straddles the border), and the cards and the
  // finish button keep a gap between them.
  for (const question of [first, second]) {
    const card = (await question.boundingBox())!;
    const legend = (await question.locator('legend').boundingBox())!;
    expect(legend.y).toBeGreaterThanOrEqual(card.y + 8);
    expect(legend.x).toBeGreaterThanOrEqual(card.x + 8);
  }
  const [firstBox, secondBox] = [(await first.boundingBox())!, (await second.boundingBox())!];
  expect(secondBox.y - (firstBox.y + firstBox.height)).toBeGreaterThanOrEqual(12);
  const finish = me.getByRole('button', { name: 'Finish attempt…' });
  const finishBox = (await finish.boundingBox())!;
  expect(finishBox.y - (secondBox.y + secondBox.height)).toBeGreaterThanOrEqual(12);
  // The bank lists its questions by name: Capital (a short answer) comes first.
  await expectControlSize(first.getByLabel('Answer'), 150, 390);

  await second.getByLabel('True').check();
  await expect(me.getByText('All answers saved.')).toBeVisible();
  await expect(me.getByText('1 unanswered')).toBeVisible();
  await finish.click();
  await expect(me.getByText('1 question without an answer.')).toBeVisible();
  await expectNoAxeViolations(me);
  await context.close();
});
