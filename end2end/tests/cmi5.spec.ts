import { expect, test } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD, call, createUser, hydrated, signIn, uniqueEmail, signedInWithoutScript } from './helpers';

/** The shared corpus (real packages from other projects), next to the checkout or where the workplace keeps it. */
function corpusFile(name: string): string | undefined {
  const roots = [
    process.env.LYCEUM_CORPUS,
    join(__dirname, '..', '..', '..', 'shared', 'corpus'),
    '/work/shared/corpus',
  ].filter((r): r is string => !!r);
  return roots.map((r) => join(r, 'cmi5', name)).find((p) => existsSync(p));
}

test('a real cmi5 AU (ADL CATAPULT geology sample) launches, fetches its credentials, bookmarks, passes its quiz and satisfies the course', async ({ page, browser }) => {
  const zip = corpusFile('single_au_basic_responsive.zip');
  test.skip(!zip, 'No cmi5 corpus here (set LYCEUM_CORPUS)');
  test.setTimeout(180_000);
  const instructor = uniqueEmail('teacher');
  await createUser(page.request, instructor, ['instructor']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  const course = await call(page.request, 'courses/create', {
    'form[code]': `GEO-${Date.now() % 1000000}`,
    'form[title]': 'Geology for beginners',
    'form[summary]': 'Rocks.',
  });
  const section = await call(page.request, 'courses/add_section', { course_id: String(course.id), title: 'Basics' });
  const itemId = await call(page.request, 'items/add', {
    section_id: String(section),
    'form[kind]': 'cmi5',
    'form[title]': 'Introduction to geology',
    'form[required]': 'true',
    'form[completion]': 'manual',
  });

  // The editor's upload form is a plain multipart post: a SCORM zip is refused next to the field.
  await page.goto(`/courses/${course.id}/items/${itemId}/edit`);
  const panel = page.getByRole('region', { name: 'cmi5 package' });
  await expect(panel.getByText('No package yet')).toBeVisible();
  await panel.getByLabel('Upload a package').setInputFiles({ name: 'notes.zip', mimeType: 'application/zip', buffer: readFileSync(zip!).subarray(0, 100) });
  await panel.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: /zip/ })).toBeVisible();
  await page.getByRole('region', { name: 'cmi5 package' }).getByLabel('Upload a package').setInputFiles(zip!);
  await page.getByRole('region', { name: 'cmi5 package' }).getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByText('The package was uploaded and checked.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'cmi5 package' }).getByText('Introduction to Geology - Responsive Style (moveOn: CompletedOrPassed)')).toBeVisible();
  await call(page.request, 'courses/enrolment_settings', { id: String(course.id), 'form[self_enrol]': 'true', 'form[enrol_key]': '' });
  await call(page.request, 'courses/set_state', { id: String(course.id), state: 'published' });

  const context = await browser.newContext();
  const me = await context.newPage();
  const learner = uniqueEmail('learner');
  await createUser(me.request, learner, ['learner']);
  await signIn(me, learner, PASSWORD);
  await expect(me.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await call(me.request, 'enrolments/self', { course_id: String(course.id), key: '' });
  // The sample says what went wrong in an alert (no launch data, a refused statement).
  const dialogs: string[] = [];
  me.on('dialog', (d) => { dialogs.push(d.message()); void d.accept(); });
  const player = `/courses/${course.id}/learn/${itemId}`;
  await me.goto(player);
  await hydrated(me);
  await expect(me.getByText('Not started or in progress')).toBeVisible();
  await me.getByRole('button', { name: 'Open “Introduction to Geology - Responsive Style”' }).click();
  const au = me.frameLocator('iframe.scorm-frame');
  // The AU shows its first page once it has fetched its credentials, read LMS.LaunchData and
  // its learner's bookmark, and sent "initialized".
  await expect(au.locator('li.navmenuitem.current')).toHaveCount(1, { timeout: 20_000 });
  const frame = me.frames().find((f) => f.url().includes(`/packages/${itemId}/`))!;
  // The last page is the quiz (its menu may be folded away in a narrow frame): its "select
  // correct answers" helper and Submit pass the AU.
  await frame.evaluate('course.gotoPage(course.pageList.length - 1)');
  await au.getByRole('button', { name: /Select correct answers/ }).click();
  await au.getByRole('button', { name: 'Submit Answers' }).click();
  await expect(au.locator('#score-passed')).toBeVisible();
  await expect.poll(async () => {
    const info = await call(context.request, 'cmi5/course', { item_id: String(itemId) });
    return info.satisfied;
  }, { timeout: 15_000 }).toBe(true);
  // Exit: "terminated", then the AU goes to the returnURL in its frame.
  await frame.evaluate('course.exit()');
  await expect(au.getByText('what you did is saved')).toBeVisible();
  expect(dialogs).toEqual([]);

  await me.goto(player);
  await expect(me.getByText("You have met this course's requirements.")).toBeVisible();
  await expect(me.getByText(/Completed, passed · score 100% · done/)).toBeVisible();
  // The LRS holds what the AU and the LMS recorded in this registration.
  const info = await call(context.request, 'cmi5/course', { item_id: String(itemId) });
  expect(info.parts[0].au.passed).toBe(true);
  await context.close();
});

const REMOTE_STRUCTURE = `<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.com/courses/remote-fire">
    <title><langstring lang="en-US">Remote fire safety</langstring></title>
    <description><langstring lang="en-US">One part, hosted elsewhere.</langstring></description>
  </course>
  <au id="https://example.com/courses/remote-fire/test" moveOn="Passed" masteryScore="0.8">
    <title><langstring lang="en-US">Fire test</langstring></title>
    <description><langstring lang="en-US">The test.</langstring></description>
    <url>https://content.example.org/fire/test.html</url>
  </au>
</courseStructure>`;

test('a cmi5.xml alone uploads; an instructor waives its AU for a learner, and starts them afresh without JavaScript', async ({ page, browser }) => {
  const instructor = uniqueEmail('teacher');
  await createUser(page.request, instructor, ['instructor']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  const course = await call(page.request, 'courses/create', {
    'form[code]': `RF-${Date.now() % 1000000}`,
    'form[title]': 'Remote fire safety',
    'form[summary]': 'Fire.',
  });
  const section = await call(page.request, 'courses/add_section', { course_id: String(course.id), title: 'Basics' });
  const itemId = await call(page.request, 'items/add', {
    section_id: String(section),
    'form[kind]': 'cmi5',
    'form[title]': 'Fire test',
    'form[required]': 'true',
    'form[completion]': 'manual',
  });
  await call(page.request, 'courses/enrolment_settings', { id: String(course.id), 'form[self_enrol]': 'true', 'form[enrol_key]': '' });
  await call(page.request, 'courses/set_state', { id: String(course.id), state: 'published' });
  const context = await browser.newContext();
  const learner = uniqueEmail('learner');
  await createUser(context.request, learner, ['learner']);
  const me = await context.newPage();
  await signIn(me, learner, PASSWORD);
  await expect(me.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await call(me.request, 'enrolments/self', { course_id: String(course.id), key: '' });

  const editor = `/courses/${course.id}/items/${itemId}/edit`;
  await page.goto(editor);
  const panel = page.getByRole('region', { name: 'cmi5 package' });
  await panel.getByLabel('Upload a package').setInputFiles({ name: 'cmi5.xml', mimeType: 'text/xml', buffer: Buffer.from(REMOTE_STRUCTURE) });
  await panel.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByText('The package was uploaded and checked.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'cmi5 package' }).getByText('Fire test (moveOn: Passed)')).toBeVisible();

  // The learner's row in the results; waive the test for them.
  await hydrated(page);
  const results = page.getByRole('region', { name: "Learners' results" });
  await expect(results.getByText('0 started, 0 satisfied the course, of 1 learner.')).toBeVisible();
  const row = results.getByRole('row').filter({ hasText: learner });
  await row.getByText(/Waive an AU for/).click();
  await row.getByLabel('Reason').selectOption('Tested Out');
  await row.getByRole('button', { name: 'Waive', exact: true }).click();
  await expect(page.getByText('The AU was waived: it counts as satisfied for the learner.')).toBeVisible();
  await expect(row.getByRole('cell', { name: 'Waived' })).toBeVisible();
  await expect(row.getByRole('cell', { name: 'Satisfied' })).toBeVisible();
  await expect(results.getByText('1 started, 1 satisfied the course, of 1 learner.')).toBeVisible();

  await me.goto(`/courses/${course.id}/learn/${itemId}`);
  await expect(me.getByText("You have met this course's requirements.")).toBeVisible();
  await expect(me.getByText(/^Waived · done/)).toBeVisible();

  // Without JavaScript: the start-afresh form is a plain post that comes back to the editor.
  const noScript = await signedInWithoutScript(browser, instructor, PASSWORD);
  await noScript.goto(editor);
  const plainRow = noScript.getByRole('region', { name: "Learners' results" }).getByRole('row').filter({ hasText: learner });
  await plainRow.getByText(/^Start .* afresh$/).click();
  await plainRow.getByRole('button', { name: 'Yes, start afresh' }).click();
  await expect(noScript.getByRole('region', { name: "Learners' results" }).getByText('0 started, 0 satisfied the course, of 1 learner.')).toBeVisible();
  await me.goto(`/courses/${course.id}/learn/${itemId}`);
  await expect(me.getByText('Open each part below; your progress is saved as you go.')).toBeVisible();
  await noScript.context().close();
  await context.close();
});
