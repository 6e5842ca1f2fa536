import { test, expect, APIRequestContext } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, call, createPerson as person, hydrated, publishedCourse, signIn, uniqueEmail } from './helpers';

/** A requirement on a new course for `emails`, set by the administrator. */
async function requirement(request: APIRequestContext, name: string, emails: string) {
  const { courseId } = await publishedCourse(request, `${name} course`, false);
  await call(request, 'auth/sign_in', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  await call(request, 'requirements/create', {
    'form[name]': name,
    'form[course_id]': courseId,
    'form[due_kind]': 'after_assignment',
    'form[due_days]': '7',
    'form[due_soon_days]': '3',
    'form[remind_before_days]': '3',
    'form[remind_on_overdue]': 'true',
    'form[emails]': emails,
  });
  await request.post('/api/auth/sign_out');
}

test('notifications: the unread count in the header, mark as read, choices per kind; a manager nudges a report', async ({ page, request }) => {
  const manager = uniqueEmail('nudge-boss');
  const learner = uniqueEmail('nudge-nurse');
  await person(request, manager, 'Bea Boss');
  const learnerId = await person(request, learner, 'Nia Nurse');
  await call(request, 'users/save_profile', { id: String(learnerId), 'form[manager_email]': manager });
  await request.post('/api/auth/sign_out');
  const name = `Hand hygiene ${Date.now()}`;
  await requirement(request, name, learner);

  // Assigned: the learner is told, and the header counts it.
  await signIn(page, learner, PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  const link = page.getByRole('link', { name: /Notifications/ });
  await expect(link).toHaveAccessibleName('Notifications 1 unread');
  await link.click();
  await hydrated(page);
  const item = page.getByTestId('notification').filter({ hasText: name });
  await expect(item).toContainText(`You are asked to complete “${name}” by`);
  await expect(item).toContainText('Unread');
  await item.getByRole('button', { name: `Mark “You are asked to complete “${name}”`, exact: false }).click();
  await expect(item).not.toContainText('Unread');
  await expect(page.getByTestId('unread-count')).toHaveCount(0);

  // Choices: reminders in the daily digest; kept after a reload.
  await page.getByRole('link', { name: 'Choose what you hear about' }).click();
  await hydrated(page);
  const reminders = page.getByRole('group', { name: 'Reminders about required training' });
  await expect(reminders.getByLabel('In Lyceum and by email at once')).toBeChecked();
  await reminders.getByLabel('In Lyceum and in one email a day').check();
  await page.getByRole('group', { name: 'Grades released' }).getByLabel('Not at all').check();
  await page.getByRole('button', { name: 'Save choices' }).click();
  await expect(page.getByRole('status')).toContainText('Your choices are saved.');
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('group', { name: 'Reminders about required training' }).getByLabel('In Lyceum and in one email a day')).toBeChecked();
  await expect(page.getByRole('group', { name: 'Grades released' }).getByLabel('Not at all')).toBeChecked();
  await page.locator('.user-menu summary').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  // The manager sees the requirement on the team page and sends a reminder.
  await signIn(page, manager, PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My team' }).click();
  const row = page.getByRole('row', { name: /Nia Nurse/ });
  await expect(row).toContainText('0 of 1 compliant');
  await row.getByRole('link', { name: 'Nia Nurse' }).click();
  await hydrated(page);
  const required = page.getByRole('region', { name: 'Required training' });
  await expect(required.getByTestId('team-requirement')).toContainText(name);
  await required.getByRole('button', { name: `Remind about ${name}` }).click();
  await expect(required.getByRole('status')).toContainText('Reminder sent.');
  await page.locator('.user-menu summary').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  await signIn(page, learner, PASSWORD);
  await expect(page.getByRole('link', { name: /Notifications/ })).toHaveAccessibleName('Notifications 1 unread');
  await page.goto('/notifications');
  await hydrated(page);
  await expect(page.getByTestId('notification').first()).toContainText('Bea Boss asks you to do this.');
  await page.getByRole('button', { name: 'Mark all as read' }).click();
  await expect(page.getByTestId('unread-count')).toHaveCount(0);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('notification choices save and notifications are marked read with plain forms', async ({ page, request }) => {
    const learner = uniqueEmail('nojs-notes');
    await person(request, learner, 'Noah Noscript');
    await request.post('/api/auth/sign_out');
    await requirement(request, `Lifting ${Date.now()}`, learner);
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(learner);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('link', { name: /Notifications/ })).toHaveAccessibleName('Notifications 1 unread');
    await page.goto('/notifications/settings');
    await page.getByRole('group', { name: 'Enrolment requests approved' }).getByLabel('In Lyceum only').check();
    await page.getByRole('button', { name: 'Save choices' }).click();
    await page.goto('/notifications/settings');
    await expect(page.getByRole('group', { name: 'Enrolment requests approved' }).getByLabel('In Lyceum only')).toBeChecked();
    await page.goto('/notifications');
    await page.getByRole('button', { name: 'Mark all as read' }).click();
    await page.goto('/notifications');
    await expect(page.getByText('Unread')).toHaveCount(0);
    await expect(page.getByRole('link', { name: /Notifications/ })).toHaveAccessibleName('Notifications');
  });
});
