import { Page, expect, test } from '@playwright/test';
import { PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

/** Signs in a new instructor and creates a course with a section "Week 1"; returns its id. */
async function newCourse(page: Page, request: Parameters<typeof createUser>[0], title: string): Promise<string> {
  const instructor = uniqueEmail('teacher');
  await createUser(request, instructor, ['instructor']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await page.goto('/courses/new');
  await hydrated(page);
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Code').fill(`ED-${Date.now() % 100000}`);
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/courses\/\d+\/edit/);
  await hydrated(page);
  await page.getByLabel('New section').fill('Week 1');
  await page.getByRole('button', { name: 'Add section' }).click();
  await expect(page.getByRole('heading', { name: 'Week 1' })).toBeVisible();
  return page.url().match(/courses\/(\d+)/)![1];
}

async function addLesson(page: Page, title: string) {
  await page.getByRole('button', { name: 'Add item to Week 1' }).click();
  const form = page.locator('form.add-item');
  await form.getByLabel('Title').fill(title);
  await form.getByRole('button', { name: 'Add item' }).click();
  await expect(form).toBeHidden();
}

test('a deleted item can be undone at once, or restored from Recently deleted', async ({ page, request }) => {
  await newCourse(page, request, 'Recycling');
  for (const title of ['One', 'Two', 'Three']) {
    await addLesson(page, title);
  }
  const items = page.getByRole('list', { name: 'Items in Week 1' }).locator('li > a');
  await expect(items).toHaveText(['One', 'Two', 'Three']);
  const bin = page.getByRole('region', { name: 'Recently deleted' });
  await expect(bin.getByText('Nothing deleted recently.')).toBeVisible();

  // Delete: the item goes, the page says so with Undo (focused, since the Delete button is gone).
  await page.getByRole('button', { name: 'Delete Two' }).click();
  const notice = page.getByRole('status').filter({ hasText: 'Deleted “Two”.' });
  await expect(notice).toBeVisible();
  await expect(items).toHaveText(['One', 'Three']);
  await expect(bin.getByRole('row', { name: /Two/ })).toBeVisible();
  const undo = notice.getByRole('button', { name: 'Undo' });
  await expect(undo).toBeFocused();
  await undo.click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored “Two”.' })).toBeVisible();
  await expect(items).toHaveText(['One', 'Two', 'Three']);
  await expect(bin.getByText('Nothing deleted recently.')).toBeVisible();

  // Delete again and leave it: it waits in Recently deleted, also after a reload.
  await page.getByRole('button', { name: 'Delete Three' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted “Three”.' })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(items).toHaveText(['One', 'Two']);
  await expect(bin.getByRole('row', { name: /Three/ })).toContainText('Week 1');
  await bin.getByRole('button', { name: 'Restore Three' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored “Three”.' })).toBeVisible();
  await expect(items).toHaveText(['One', 'Two', 'Three']);

  // Deleting the section asks first, then puts its items in the bin; restoring one brings the
  // section back.
  await page.getByRole('button', { name: 'Delete section' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Confirm deleting the section' });
  await expect(confirm).toContainText('restoring any of them brings the section back');
  await confirm.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(page.getByRole('heading', { name: 'Week 1' })).toHaveCount(0);
  await expect(bin.getByRole('row')).toHaveCount(4);
  await bin.getByRole('button', { name: 'Restore Two' }).click();
  await expect(page.getByRole('heading', { name: 'Week 1' })).toBeVisible();
  await expect(items).toHaveText(['Two']);
});

test('the course editor is split into sections with one primary action; each section is a link', async ({ page, request }) => {
  const courseId = await newCourse(page, request, 'Sections');
  // One primary action in the header; the course's other pages are plain links.
  await expect(page.locator('.page-header .btn-primary')).toHaveText(['Publish']);
  const others = page.getByRole('navigation', { name: 'This course' });
  await expect(others.getByRole('link')).toHaveText(['Participants', 'Dashboard', 'Needs grading', 'Gradebook', 'Question bank', 'Import and export']);

  const tabs = page.getByRole('navigation', { name: 'Course editor' });
  await expect(tabs.getByRole('link')).toHaveText(['Content', 'Files', 'Settings', 'Enrolment']);
  await expect(tabs.getByRole('link', { name: 'Content' })).toHaveAttribute('aria-current', 'page');
  await expect(tabs.locator('[aria-current]')).toHaveCount(1);
  await expect(page.getByRole('heading', { name: 'Week 1' })).toBeVisible();

  // Each section shows alone, and its address says which.
  await tabs.getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL(new RegExp(`/courses/${courseId}/edit\\?tab=settings$`));
  await expect(tabs.getByRole('link', { name: 'Settings' })).toHaveAttribute('aria-current', 'page');
  await expect(tabs.getByRole('link', { name: 'Content' })).not.toHaveAttribute('aria-current');
  await expect(page.getByRole('heading', { name: 'Settings', level: 2 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Week 1' })).toHaveCount(0);
  // Unpublish and Archive live with the settings, not in the header.
  await expect(page.getByRole('region', { name: 'Publishing' }).getByRole('button', { name: 'Archive' })).toBeVisible();

  await tabs.getByRole('link', { name: 'Enrolment' }).click();
  await page.getByLabel('Learners may enrol themselves').check();
  await page.getByRole('button', { name: 'Save enrolment settings' }).click();
  await expect(page.getByText('Enrolment settings saved.')).toBeVisible();
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('.badge-published')).toBeVisible();
  await expect(page.locator('.page-header .btn-primary')).toHaveCount(0);

  // A deep link opens its section, also after a reload.
  await page.goto(`/courses/${courseId}/edit?tab=files`);
  await hydrated(page);
  await expect(tabs.getByRole('link', { name: 'Files' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByLabel('Upload a file')).toBeVisible();
  await page.goBack();
  await expect(page.getByLabel('Learners may enrol themselves')).toBeChecked();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the course editor sections are real links the server renders', async ({ page, request }) => {
    const instructor = uniqueEmail('nojs-teacher');
    await createUser(request, instructor, ['instructor']);
    // The course is made through the server functions; the pages are then read without script.
    await request.post('/api/auth/sign_in', { form: { email: instructor, password: PASSWORD } });
    const created = await request.post('/api/courses/create', {
      form: { 'form[code]': `NOJS-${Date.now() % 100000}`, 'form[title]': 'No script' },
      headers: { Accept: 'application/json' },
    });
    expect(created.ok(), await created.text()).toBeTruthy();
    const courseId = (await created.json()).id;
    const section = await request.post('/api/courses/add_section', {
      form: { course_id: String(courseId), title: 'Week 1' },
      headers: { Accept: 'application/json' },
    });
    expect(section.ok(), await section.text()).toBeTruthy();

    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(instructor);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');

    await page.goto(`/courses/${courseId}/edit`);
    const tabs = page.getByRole('navigation', { name: 'Course editor' });
    await expect(tabs.getByRole('link', { name: 'Content' })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByRole('heading', { name: 'Week 1' })).toBeVisible();
    for (const [name, shows] of [
      ['Files', 'Upload a file'],
      ['Settings', 'Summary'],
      ['Enrolment', 'Learners may enrol themselves'],
    ]) {
      await tabs.getByRole('link', { name }).click();
      await expect(page).toHaveURL(new RegExp(`\\?tab=${name.toLowerCase()}$`));
      await expect(tabs.getByRole('link', { name })).toHaveAttribute('aria-current', 'page');
      await expect(page.getByLabel(shows)).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Week 1' })).toHaveCount(0);
    }
    await tabs.getByRole('link', { name: 'Content' }).click();
    await expect(page.getByRole('heading', { name: 'Week 1' })).toBeVisible();
  });
});
