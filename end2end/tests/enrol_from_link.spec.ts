import { APIRequestContext, expect, test } from '@playwright/test';
import { PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

/** Calls a server function (form-encoded) with the request context's session; returns its JSON. */
async function call(request: APIRequestContext, path: string, form: Record<string, string>) {
  const reply = await request.post(`/api/${path}`, { form, headers: { Accept: 'application/json' } });
  expect(reply.ok(), `${path}: ${await reply.text()}`).toBeTruthy();
  return reply.json();
}

/** A published course with one lesson, built by a new instructor through the server functions. */
async function publishedCourse(request: APIRequestContext, title: string, selfEnrol: boolean) {
  const instructor = uniqueEmail('teacher');
  await createUser(request, instructor, ['instructor']);
  await call(request, 'auth/sign_in', { email: instructor, password: PASSWORD });
  const course = await call(request, 'courses/create', {
    'form[code]': `LINK-${Date.now() % 1000000}`,
    'form[title]': title,
    'form[summary]': 'Shared by a link.',
  });
  const section = await call(request, 'courses/add_section', { course_id: String(course.id), title: 'Week 1' });
  const item = await call(request, 'items/add', {
    section_id: String(section),
    'form[kind]': 'lesson',
    'form[title]': 'Welcome',
    'form[body]': 'Hello, learners.',
    'form[required]': 'true',
    'form[completion]': 'view',
  });
  await call(request, 'courses/enrolment_settings', { id: String(course.id), 'form[self_enrol]': String(selfEnrol) });
  await call(request, 'courses/set_state', { id: String(course.id), state: 'published' });
  await request.post('/api/auth/sign_out');
  return { courseId: String(course.id), itemId: String(item) };
}

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
