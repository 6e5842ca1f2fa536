import { expect, test } from '@playwright/test';
import { PASSWORD, createUser, hydrated, publishedCourse, signIn, uniqueEmail } from './helpers';

test('a signed-in non-member who opens a link into a self-enrol course is offered Enrol', async ({ page, request }) => {
  const open = await publishedCourse(request, 'Open biology', true);
  const closed = await publishedCourse(request, 'Invited chemistry', false);
  const learner = uniqueEmail('learner');
  await createUser(request, learner, ['learner']);
  await signIn(page, learner, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();

  // The course page offers Enrol.
  await page.goto(`/courses/${open.courseId}`);
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'Enrol' })).toBeVisible();

  // So does a link to one of its items, instead of "ask your administrator"; enrolling opens it.
  await page.goto(`/courses/${open.courseId}/learn/${open.itemId}`);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Open biology' })).toBeVisible();
  await expect(page.getByText('You are not enrolled in this course')).toBeVisible();
  await expect(page.getByText(/administrator/)).toHaveCount(0);
  await page.getByRole('button', { name: 'Enrol' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome', level: 1 })).toBeVisible();
  await expect(page.getByText('Hello, learners.')).toBeVisible();

  // The player's own link works the same way.
  await page.goto(`/courses/${closed.courseId}/learn`);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Invited chemistry' })).toBeVisible();
  // A course without self-enrolment says who to ask, and offers no button.
  await expect(page.getByText('Enrolment in this course is by invitation: ask its instructor.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Enrol' })).toHaveCount(0);
  await expect(page.getByText(/administrator/)).toHaveCount(0);
});
