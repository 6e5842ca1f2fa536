import { Page, expect, test } from '@playwright/test';
import { PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

// A 1×1 PNG, a one-page PDF and the first bytes of an MP4 (enough for the server to recognise it).
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
const MP4 = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypmp42'),
  Buffer.from([0, 0, 0, 0]),
  Buffer.from('mp42isom'),
  Buffer.alloc(4096, 1),
]);

async function upload(page: Page, name: string, mimeType: string, buffer: Buffer) {
  await page.getByLabel('Upload a file').setInputFiles({ name, mimeType, buffer });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: `Uploaded ${name}.` })).toBeVisible();
  await hydrated(page);
}

async function addItem(page: Page, fill: (form: ReturnType<Page['locator']>) => Promise<void>) {
  await page.getByRole('button', { name: 'Add item to Week 1' }).click();
  const form = page.locator('form.add-item');
  await fill(form);
  await form.getByRole('button', { name: 'Add item' }).click();
  await expect(form).toBeHidden();
}

/** Opens one of the course editor's sections (its tabs). */
async function editorTab(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Course editor' }).getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('link', { name, exact: true })).toHaveAttribute('aria-current', 'page');
}

function itemTitles(page: Page) {
  return page.getByRole('list', { name: 'Items in Week 1' }).locator('li > a');
}

test('an instructor builds and publishes a course; a learner enrols with a key and completes it', async ({ page, request, browser }) => {
  const instructor = uniqueEmail('teacher');
  const learner = uniqueEmail('learner');
  await createUser(request, instructor, ['instructor']);
  await createUser(request, learner, ['learner']);
  const code = `BIO-${Date.now() % 100000}`;

  // The instructor creates the course.
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await page.goto('/courses/new');
  await hydrated(page);
  await page.getByLabel('Title').fill('Cell biology');
  await page.getByLabel('Code').fill(code);
  await page.getByLabel('Summary').fill('Cells, membranes and energy.');
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/courses\/\d+\/edit\?created=1/);
  const courseId = page.url().match(/courses\/(\d+)/)![1];
  await hydrated(page);

  // Files: an image, a PDF and a video.
  await editorTab(page, 'Files');
  await upload(page, 'diagram.png', 'image/png', PNG);
  await upload(page, 'notes.pdf', 'application/pdf', PDF);
  await upload(page, 'clip.mp4', 'video/mp4', MP4);
  const imageSnippet = (await page.locator('code.snippet', { hasText: 'diagram.png' }).textContent())!;
  await page.getByRole('row', { name: /diagram.png/ }).getByRole('button', { name: 'Use as cover' }).click();
  await expect(page.getByRole('row', { name: /diagram.png/ }).getByText('Cover')).toBeVisible();
  expect(imageSnippet).toMatch(/^!\[diagram.png\]\(\/files\/\d+\/diagram.png\)$/);

  // A file over the limit is refused with a clear message next to the field.
  // (Choosing the cover reloads the file list, which may replace the input just as a file is set
  // on it: the choice is made again until the message shows.)
  await expect(async () => {
    await page.getByLabel('Upload a file').setInputFiles({ name: 'huge.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(6 * 1024 * 1024, 0x25) });
    await expect(page.getByText('This file is larger than the 5 MB upload limit')).toBeVisible({ timeout: 2_000 });
  }).toPass();
  await expect(page.getByLabel('Upload a file')).toHaveAttribute('aria-invalid', 'true');
  // The server refuses it too, whatever the browser does.
  const refused = await page.request.post(`/courses/${courseId}/files`, {
    headers: { Accept: 'application/json' },
    multipart: { file: { name: 'huge.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(6 * 1024 * 1024, 0x25) } },
  });
  expect(refused.status()).toBe(422);
  expect(await refused.text()).toContain('larger than the 5 MB upload limit');

  // A section with three items.
  await editorTab(page, 'Content');
  await page.getByLabel('New section').fill('Week 1');
  await page.getByRole('button', { name: 'Add section' }).click();
  await expect(page.getByRole('heading', { name: 'Week 1' })).toBeVisible();
  await addItem(page, async (form) => {
    await form.getByLabel('Title').fill('What is a cell?');
    await form.getByLabel('Page (Markdown)').fill(`# Cells\n\nEvery living thing is made of cells.\n\n${imageSnippet}\n`);
  });
  await addItem(page, async (form) => {
    await form.getByLabel('Kind').selectOption('file');
    await form.getByLabel('Title').fill('Lecture notes');
    await form.getByLabel('File').selectOption({ label: 'notes.pdf' });
  });
  await addItem(page, async (form) => {
    await form.getByLabel('Kind').selectOption('video');
    await form.getByLabel('Title').fill('Mitosis video');
    await form.getByLabel('Uploaded video').selectOption({ label: 'clip.mp4' });
  });
  await expect(itemTitles(page)).toHaveText(['What is a cell?', 'Lecture notes', 'Mitosis video']);

  // Reordering by keyboard: the move buttons, and focus stays on the moved item's button.
  await page.getByRole('button', { name: 'Move Lecture notes up' }).focus();
  await page.keyboard.press('Enter');
  await expect(itemTitles(page)).toHaveText(['Lecture notes', 'What is a cell?', 'Mitosis video']);
  await expect(page.getByRole('button', { name: 'Move Lecture notes up' })).toBeDisabled();
  await page.getByRole('button', { name: 'Move Lecture notes down' }).focus();
  await page.keyboard.press('Enter');
  await expect(itemTitles(page)).toHaveText(['What is a cell?', 'Lecture notes', 'Mitosis video']);
  await expect(page.getByRole('button', { name: 'Move Lecture notes down' })).toBeFocused();

  // Self-enrolment with a key, then publish.
  await editorTab(page, 'Enrolment');
  await page.getByLabel('Learners may enrol themselves').check();
  await page.getByLabel('Enrolment key').fill('mitochondria');
  await page.getByRole('button', { name: 'Save enrolment settings' }).click();
  await expect(page.getByText('Enrolment settings saved.')).toBeVisible();
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('.badge-published')).toBeVisible();

  // The learner finds it, enrols with the key and works through it.
  const context = await browser.newContext();
  const learnerPage = await context.newPage();
  await signIn(learnerPage, learner, PASSWORD);
  await expect(learnerPage.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await learnerPage.goto(`/courses?q=${encodeURIComponent(code)}`);
  const cover = learnerPage.locator('.course-card-cover');
  await expect(cover).toBeVisible();
  expect(await cover.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  await learnerPage.getByRole('link', { name: 'Cell biology' }).click();
  await expect(learnerPage.getByRole('heading', { name: 'Cell biology' })).toBeVisible();
  await hydrated(learnerPage);
  await learnerPage.getByLabel('Enrolment key').fill('wrong');
  await learnerPage.getByRole('button', { name: 'Enrol' }).click();
  await expect(learnerPage.getByText('That enrolment key is not right')).toBeVisible();
  await learnerPage.getByLabel('Enrolment key').fill('mitochondria');
  await learnerPage.getByRole('button', { name: 'Enrol' }).click();
  await expect(learnerPage.getByText('You are enrolled.')).toBeVisible();
  await learnerPage.getByRole('link', { name: 'Start' }).click();

  await expect(learnerPage.getByRole('heading', { name: 'What is a cell?' })).toBeVisible();
  const image = learnerPage.locator('.prose img');
  await expect(image).toBeVisible();
  expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  await learnerPage.getByRole('link', { name: 'Next' }).click();
  await expect(learnerPage.getByRole('heading', { name: 'Lecture notes' })).toBeVisible();
  await expect(learnerPage.locator('iframe.pdf-frame')).toHaveAttribute('src', /\/files\/\d+\/notes.pdf/);
  await learnerPage.getByRole('link', { name: 'Next' }).click();
  await expect(learnerPage.getByRole('heading', { name: 'Mitosis video' })).toBeVisible();
  const videoSrc = (await learnerPage.locator('video').getAttribute('src'))!;
  const range = await learnerPage.request.get(videoSrc, { headers: { Range: 'bytes=0-11' } });
  expect(range.status()).toBe(206);
  expect(range.headers()['content-type']).toBe('video/mp4');

  await expect(learnerPage.getByRole('progressbar', { name: 'Course progress' })).toHaveAttribute('value', '100');
  await expect(learnerPage.getByText(/Course completed/)).toBeVisible();
  await expect(learnerPage.locator('.outline li.done')).toHaveCount(3);

  await learnerPage.goto('/');
  const completed = learnerPage.getByRole('list', { name: 'Completed courses' });
  await expect(completed.getByRole('link', { name: 'Cell biology' })).toBeVisible();

  // The instructor sees the learner at 100 %.
  await page.goto(`/courses/${courseId}/participants`);
  await expect(page.getByRole('row', { name: /Lena Learner/ }).getByRole('progressbar')).toHaveAttribute('value', '100');
  await context.close();
});

test('a learner cannot open an unpublished course or download files of a course they are not in', async ({ page, request }) => {
  const instructor = uniqueEmail('teacher');
  const learner = uniqueEmail('learner');
  await createUser(request, instructor, ['instructor']);
  await createUser(request, learner, ['learner']);

  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await page.goto('/courses/new');
  await hydrated(page);
  await page.getByLabel('Title').fill('Secret draft');
  await page.getByLabel('Code').fill(`DRAFT-${Date.now() % 100000}`);
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/courses\/\d+\/edit/);
  const courseId = page.url().match(/courses\/(\d+)/)![1];
  await hydrated(page);
  await editorTab(page, 'Files');
  await upload(page, 'notes.pdf', 'application/pdf', PDF);
  const href = (await page.getByRole('link', { name: 'notes.pdf' }).getAttribute('href'))!;
  await page.locator('details.user-menu summary').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/sign-in/);

  await signIn(page, learner, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  const response = await page.goto(`/courses/${courseId}`);
  expect(response!.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
  const editor = await page.goto(`/courses/${courseId}/edit`);
  expect(editor!.status()).toBe(403);
  const download = await page.request.get(href);
  expect(download.status()).toBe(403);
});
