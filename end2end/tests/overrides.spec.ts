import { expect, test } from '@playwright/test';
import { PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

/** `datetime-local` text (UTC, as the form reads it) for a time `hoursFromNow` away. */
function utc(hoursFromNow: number): string {
  return new Date(Date.now() + hoursFromNow * 3600_000).toISOString().slice(0, 16);
}

test('an instructor gives one learner an extension; that learner sees their own due date and may still hand in', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const instructor = uniqueEmail('teacher');
  await createUser(page.request, instructor, ['instructor']);
  const learner = uniqueEmail('learner');
  await createUser(page.request, learner, ['learner']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await page.goto('/courses/new');
  await hydrated(page);
  await page.getByLabel('Title').fill('Extensions');
  await page.getByLabel('Code').fill(`EXT-${Date.now() % 100000}`);
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/courses\/\d+\/edit/);
  const courseId = page.url().match(/courses\/(\d+)/)![1];
  await hydrated(page);
  await page.getByLabel('New section').fill('Week 1');
  await page.getByRole('button', { name: 'Add section' }).click();
  await page.getByRole('button', { name: 'Add item to Week 1' }).click();
  const form = page.locator('form.add-item');
  await form.getByLabel('Kind').selectOption('assignment');
  await form.getByLabel('Title').fill('Essay');
  await form.getByLabel('Instructions (Markdown)').fill('Write about **cells**.');
  await form.getByRole('button', { name: 'Add item' }).click();
  await expect(form).toBeHidden();
  await page.getByRole('navigation', { name: 'Course editor' }).getByRole('link', { name: 'Enrolment' }).click();
  await page.getByLabel('Learners may enrol themselves').check();
  await page.getByRole('button', { name: 'Save enrolment settings' }).click();
  await expect(page.getByText('Enrolment settings saved.')).toBeVisible();
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('.badge-published')).toBeVisible();

  // The cut-off has passed for everyone.
  await page.getByRole('navigation', { name: 'Course editor' }).getByRole('link', { name: 'Content' }).click();
  await page.getByRole('link', { name: 'Essay' }).click();
  await expect(page.getByRole('heading', { name: 'Edit assignment' })).toBeVisible();
  const itemId = page.url().match(/items\/(\d+)/)![1];
  await hydrated(page);
  await page.getByLabel('Due', { exact: true }).fill(utc(-48));
  await page.getByLabel('Cut-off', { exact: true }).fill(utc(-24));
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Assignment settings saved.')).toBeVisible();

  // The learner enrols.
  const learnerContext = await browser.newContext();
  const me = await learnerContext.newPage();
  await signIn(me, learner, PASSWORD);
  await expect(me.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await me.goto(`/courses/${courseId}`);
  await hydrated(me);
  await me.getByRole('button', { name: 'Enrol' }).click();
  await expect(me.getByRole('button', { name: 'Enrol' })).toBeHidden();

  // A wrong address is named next to the field; then the extension is set and listed.
  const panel = page.getByRole('region', { name: 'Dates for some learners' });
  await expect(panel.getByText("Every learner has the item's own dates.")).toBeVisible();
  await panel.getByLabel('Learners').fill('nobody@example.com');
  await panel.getByLabel('Their due date').fill(utc(48));
  await panel.getByRole('button', { name: 'Set dates' }).click();
  await expect(panel.getByText(/Not learners of this course: nobody@example.com/)).toBeVisible();
  await panel.getByLabel('Learners').fill(learner);
  await panel.getByLabel('Their cut-off').fill(utc(72));
  await panel.getByLabel('Reason (optional)').fill('Medical certificate');
  await panel.getByRole('button', { name: 'Set dates' }).click();
  await expect(panel.getByText('Dates set.')).toBeVisible();
  await expect(panel.getByRole('cell', { name: 'Medical certificate' })).toBeVisible();

  await me.goto(`/courses/${courseId}/learn/${itemId}`);
  await hydrated(me);
  await expect(me.getByText('Your due date')).toBeVisible();
  await expect(me.getByText('(extended for you)')).toBeVisible();
  await expect(me.getByLabel('Your answer')).toBeEditable();

  // Removed: the learner has the item's dates again.
  await panel.getByRole('button', { name: /Remove the dates of/ }).click();
  await expect(panel.getByText("Every learner has the item's own dates.")).toBeVisible();
  await me.reload();
  await hydrated(me);
  await expect(me.getByText('Your due date')).toHaveCount(0);
  await learnerContext.close();
});
