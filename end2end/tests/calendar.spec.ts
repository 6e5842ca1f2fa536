import { expect, test } from '@playwright/test';
import { PASSWORD, call, createUser, expectNoAxeViolations, hydrated, signIn, uniqueEmail } from './helpers';

// Issue 14, "Calendar and feeds": a learner sees their assignment's due date in their calendar
// (month grid and list, by keyboard), and their private feed address serves iCalendar that
// changes when they make a new address.
test('a learner sees a due date in their calendar and subscribes to the feed', async ({ page, request }) => {
  test.setTimeout(120_000);
  const instructor = uniqueEmail('cal-teacher');
  const learner = uniqueEmail('cal-learner');
  await createUser(request, instructor, ['instructor']);
  await createUser(request, learner);
  await call(request, 'auth/sign_in', { email: instructor, password: PASSWORD });
  const course = await call(request, 'courses/create', {
    'form[code]': `CAL-${Date.now() % 1000000}`,
    'form[title]': 'Calendar course',
    'form[summary]': '',
  });
  const section = await call(request, 'courses/add_section', { course_id: String(course.id), title: 'Week 1' });
  const item = await call(request, 'items/add', {
    section_id: String(section),
    'form[kind]': 'assignment',
    'form[title]': 'Calendar essay',
    'form[required]': 'true',
  });
  // Due today at 23:30 UTC (the site's zone): in this month's calendar whenever the test runs.
  const today = new Date().toISOString().slice(0, 10);
  const saved = await request.post('/api/assignments/save_settings', {
    data: {
      item_id: item,
      form: {
        due_at: `${today}T23:30`, cutoff_at: '', late_percent_per_day: '0', late_max_percent: '0',
        accept_text: true, accept_files: false, max_files: '1', resubmit: false, max_points: '10', rubric: [],
      },
    },
  });
  expect(saved.ok(), await saved.text()).toBeTruthy();
  await call(request, 'courses/enrolment_settings', { id: String(course.id), 'form[self_enrol]': 'true', 'form[enrol_key]': '' });
  await call(request, 'courses/set_state', { id: String(course.id), state: 'published' });
  await request.post('/api/auth/sign_out');
  await call(request, 'auth/sign_in', { email: learner, password: PASSWORD });
  await call(request, 'enrolments/self', { course_id: String(course.id), key: '' });
  await request.post('/api/auth/sign_out');

  await signIn(page, learner, PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.getByRole('link', { name: 'Calendar', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Calendar' })).toBeVisible();
  await hydrated(page);
  const cell = page.locator('td[aria-current="date"]');
  await expect(cell.getByRole('link', { name: /23:30 Due: Calendar essay/ })).toBeVisible();
  await expectNoAxeViolations(page);
  // The list view, by keyboard.
  await page.getByRole('link', { name: 'List', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('link', { name: 'List', exact: true })).toHaveAttribute('aria-current', 'page');
  const entry = page.getByRole('link', { name: /23:30 Due: Calendar essay/ });
  await expect(entry).toBeVisible();
  await expect(entry).toHaveAttribute('href', `/courses/${course.id}/learn/${item}`);
  await expectNoAxeViolations(page);

  // Her own time zone, New York's, chosen on the account page: the due time moves with it.
  await page.goto('/account');
  await hydrated(page);
  await page.getByRole('combobox', { name: 'Time zone' }).selectOption('America/New_York');
  await page.getByRole('button', { name: 'Save time zone' }).click();
  await expect(page.getByText('Your time zone is saved.')).toBeVisible();
  await page.goto(`/calendar?month=${today.slice(0, 7)}&view=list`);
  await expect(page.getByText('Times are in America/New_York.')).toBeVisible();
  await expect(page.getByRole('link', { name: /(18|19):30 Due: Calendar essay/ })).toBeVisible();
  await hydrated(page);

  // The private feed: iCalendar with the due date, in UTC.
  await page.getByRole('button', { name: 'Show my calendar address' }).click();
  const address = page.getByLabel('Your private calendar address');
  await expect(address).toHaveValue(/\/calendar\/feed\/.+\.ics$/);
  const url = await address.inputValue();
  const feed = await request.get(new URL(url).pathname);
  expect(feed.ok()).toBeTruthy();
  expect(feed.headers()['content-type']).toContain('text/calendar');
  const text = await feed.text();
  expect(text).toContain('SUMMARY:Due: Calendar essay');
  expect(text).toContain(`DTSTART:${today.replaceAll('-', '')}T233000Z`);

  // A new address: the old one stops.
  await page.getByRole('button', { name: 'Make a new address' }).click();
  await expect(page.getByText('A new address is ready')).toBeVisible();
  await expect(address).not.toHaveValue(url);
  expect((await request.get(new URL(url).pathname)).status()).toBe(404);
  expect((await request.get(new URL(await address.inputValue()).pathname)).ok()).toBeTruthy();
});
