//! SCORM packages: every manifest and zip of the shared corpus is read or refused with its
//! reason; on SQLite and PostgreSQL an instructor uploads a package (a refused one changes
//! nothing), people who may open the item get its files through the router and nobody else
//! does, a new upload replaces the files, and a course copy shares them until the last one goes.

use crate::support::{self, ClassSpec, Temp, send, zip_dir, zip_of};
use axum::body::Body;
use http::{Request, StatusCode, header};
use lyceum::auth::throttle::Client;
use lyceum::courses::model::ItemForm;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::packages::zip::ZipRefusal;
use lyceum::scorm::manifest::{self, Refusal};
use lyceum::scorm::model::Version;
use lyceum::scorm::package;
use lyceum::scorm::service as scorm;
use lyceum::state::AppState;
use lyceum::testing::{PASSWORD, user_with_roles};
use lyceum::users::model::Role;
use std::path::Path;

fn read_manifest(dir: &Path) -> Result<lyceum::scorm::model::Structure, Refusal> {
    manifest::parse(&manifest::decode(
        &std::fs::read(dir.join("imsmanifest.xml")).unwrap(),
    ))
}

#[test]
fn every_manifest_of_the_corpus_is_read_or_refused_with_its_reason() {
    let Some(root) = support::corpus("scorm") else {
        return;
    };
    // (folder, version when read; the refusal otherwise)
    let read: &[(&str, Version)] = &[
        (
            "scorm12/ComplexNestedOrganization_SCORM12",
            Version::Scorm12,
        ),
        (
            "scorm12/ContentPackagingOneFilePerSCO_SCORM12",
            Version::Scorm12,
        ),
        (
            "scorm12/ContentPackagingSingleSCO_SCORM12",
            Version::Scorm12,
        ),
        (
            "scorm12/ContentPackagingWithMetadata_SCORM12",
            Version::Scorm12,
        ),
        ("scorm12/InvalidFileReferences_SCORM12", Version::Scorm12),
        ("scorm12/LaunchUrlFromNestedItem_SCORM12", Version::Scorm12),
        (
            "scorm12/MultipleItemsWithIdentifierRef_SCORM12",
            Version::Scorm12,
        ),
        ("scorm12/PrerequisitesTest_SCORM12", Version::Scorm12),
        ("scorm12/RuntimeBasicCalls_SCORM12", Version::Scorm12),
        ("scorm12/RuntimeMinimumCalls_SCORM12", Version::Scorm12),
        (
            "scorm2004/AdlAttributes_SCORM20043rdEdition",
            Version::Scorm2004(Some(3)),
        ),
        (
            "scorm2004/ContentPackagingMetadata_SCORM20043rdEdition",
            Version::Scorm2004(Some(3)),
        ),
        (
            "scorm2004/ContentPackagingNoSchemaVersion_SCORM20042ndEdition",
            Version::Scorm2004(None),
        ),
        (
            "scorm2004/ContentPackagingOneFilePerSCO_SCORM20043rdEdition",
            Version::Scorm2004(Some(3)),
        ),
        (
            "scorm2004/ContentPackagingSingleSCO_SCORM20042ndEdition",
            Version::Scorm2004(Some(2)),
        ),
        (
            "scorm2004/ContentPackagingSingleSCO_SCORM20043rdEdition",
            Version::Scorm2004(Some(3)),
        ),
        (
            "scorm2004/MinimalValid_SCORM20043rdEdition",
            Version::Scorm2004(Some(3)),
        ),
        (
            "scorm2004/RunTimeAdvancedCalls_SCORM20043rdEdition",
            Version::Scorm2004(Some(3)),
        ),
        (
            "scorm2004/RuntimeBasicCalls_SCORM20043rdEdition",
            Version::Scorm2004(Some(3)),
        ),
        (
            "scorm2004/RuntimeMinimumCalls_SCORM20043rdEdition",
            Version::Scorm2004(Some(3)),
        ),
        (
            "scorm2004/SequencingForcedSequential_SCORM20043rdEdition",
            Version::Scorm2004(Some(3)),
        ),
        (
            "scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition",
            Version::Scorm2004(Some(4)),
        ),
        (
            "scorm2004/SequencingPostTestRollup_SCORM20043rdEdition",
            Version::Scorm2004(Some(3)),
        ),
        (
            "scorm2004/SequencingPreOrPostTestRollup_SCORM20043rdEdition",
            Version::Scorm2004(Some(3)),
        ),
        (
            "scorm2004/SequencingRandomTest_SCORM20043rdEdition",
            Version::Scorm2004(Some(3)),
        ),
        (
            "scorm2004/SequencingSimpleRemediation_SCORM20043rdEdition",
            Version::Scorm2004(Some(3)),
        ),
    ];
    let mut seen = Vec::new();
    for (dir, version) in read {
        let structure = read_manifest(&root.join(dir)).unwrap_or_else(|e| panic!("{dir}: {e}"));
        assert_eq!(structure.version, *version, "{dir}");
        assert!(!structure.title.is_empty(), "{dir}");
        assert!(structure.launchable().count() > 0, "{dir}");
        seen.push(dir.to_string());
    }
    let refused = |dir: &str| read_manifest(&root.join(dir)).expect_err(dir);
    assert!(
        matches!(
            refused("scorm12/MalformedXml_SCORM12"),
            Refusal::BadXml { line: 27, .. }
        ),
        "{:?}",
        refused("scorm12/MalformedXml_SCORM12")
    );
    assert_eq!(
        refused("scorm12/MissingLaunchUrl_SCORM12"),
        Refusal::NoLaunchFile {
            item: "Test Item".into(),
            resource: "resource_1".into()
        }
    );
    assert_eq!(
        refused("scorm12/MissingRequiredFields_SCORM12"),
        Refusal::OrganizationWithoutTitle("default_org".into())
    );
    assert_eq!(
        refused("scorm12/ItemWithNonExistentResourceId_SCORM12"),
        Refusal::MissingResource {
            item: "Item 1".into(),
            resource: "non_existent_resource".into()
        }
    );
    assert_eq!(
        refused("scorm2004/InvalidMissingOrgIdentifier_SCORM20043rdEdition"),
        Refusal::OrganizationWithoutIdentifier
    );
    seen.extend(
        [
            "scorm12/MalformedXml_SCORM12",
            "scorm12/MissingLaunchUrl_SCORM12",
            "scorm12/MissingRequiredFields_SCORM12",
            "scorm12/ItemWithNonExistentResourceId_SCORM12",
            "scorm2004/InvalidMissingOrgIdentifier_SCORM20043rdEdition",
        ]
        .map(String::from),
    );
    // Every folder of the corpus has its expectation here.
    for version in ["scorm12", "scorm2004"] {
        for entry in std::fs::read_dir(root.join(version)).unwrap() {
            let name = format!("{version}/{}", entry.unwrap().file_name().to_string_lossy());
            assert!(seen.contains(&name), "no expectation for {name}");
        }
    }

    // Nested items launch what they refer to, with the manifest's parameters.
    let nested = read_manifest(&root.join("scorm12/LaunchUrlFromNestedItem_SCORM12")).unwrap();
    assert!(
        nested
            .items
            .iter()
            .any(|i| i.depth > 0 && i.launch.is_some())
    );
    let adl = read_manifest(&root.join("scorm2004/AdlAttributes_SCORM20043rdEdition")).unwrap();
    assert!(
        adl.items.iter().any(|i| i.launch_data.is_some()),
        "{:?}",
        adl.items
    );
}

#[test]
fn every_zip_of_the_corpus_is_taken_or_refused_with_its_reason() {
    let Some(root) = support::corpus("scorm") else {
        return;
    };
    let inspect = |name: &str| package::inspect(&root.join(name));
    for (name, version, parts) in [
        (
            "RuntimeBasicCalls_SCORM20043rdEdition.zip",
            Version::Scorm2004(Some(3)),
            1,
        ),
        ("RuntimeMinimumCalls_SCORM12.zip", Version::Scorm12, 18),
        ("RuntimeMinimumCalls_SCORM12-mini.zip", Version::Scorm12, 9),
        ("singlesco_scorm12.zip", Version::Scorm12, 1),
        ("singlescobasic.zip", Version::Scorm12, 1),
        ("complexscorm.zip", Version::Scorm12, 8),
        ("zips/scorm12.zip", Version::Scorm12, 18),
        ("zips/scorm2004.zip", Version::Scorm2004(Some(3)), 1),
    ] {
        let taken = inspect(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(taken.content.version, version, "{name}");
        assert_eq!(taken.content.launchable().count(), parts, "{name}");
        // Litter that operating systems add is left out.
        assert!(
            taken
                .entries
                .iter()
                .all(|e| !e.path.starts_with("__MACOSX/") && !e.path.ends_with(".DS_Store")),
            "{name}"
        );
    }
    assert_eq!(inspect("invalid.zip").unwrap_err(), Refusal::NoManifest);
    assert_eq!(inspect("validaicc.zip").unwrap_err(), Refusal::Aicc);
    assert_eq!(inspect("zips/aicc.zip").unwrap_err(), Refusal::Aicc);
    assert_eq!(inspect("zips/cmi5.zip").unwrap_err(), Refusal::Cmi5);
    assert_eq!(
        inspect("singlescobasic_missingorg.zip").unwrap_err(),
        Refusal::NoOrganization
    );
    // A manifest holding only the XML declaration; one zipped inside its folder is found there.
    assert!(matches!(
        inspect("validscorm.zip").unwrap_err(),
        Refusal::BadXml { .. }
    ));
    assert!(matches!(
        inspect("badscorm.zip").unwrap_err(),
        Refusal::BadXml { .. }
    ));

    // The corpus's folders as zips: launch files must be in the package.
    let folder = |dir: &str| package::inspect(zip_dir(&root.join(dir)).path());
    for dir in [
        "scorm12/ContentPackagingOneFilePerSCO_SCORM12",
        "scorm12/RuntimeBasicCalls_SCORM12",
        "scorm12/PrerequisitesTest_SCORM12",
        "scorm2004/ContentPackagingOneFilePerSCO_SCORM20043rdEdition",
        "scorm2004/SequencingPostTestRollup4thEd_SCORM20044thEdition",
    ] {
        folder(dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
    }
    assert_eq!(
        folder("scorm12/InvalidFileReferences_SCORM12").unwrap_err(),
        Refusal::LaunchFileMissing {
            item: "Test Item".into(),
            path: "content/nonexistent.html".into()
        }
    );
}

#[test]
fn unsafe_and_oversized_zips_are_refused() {
    let manifest =
        br#"<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2">
<organizations default="o"><organization identifier="o"><title>T</title>
<item identifier="i" identifierref="r"><title>Go</title></item></organization></organizations>
<resources><resource identifier="r" type="webcontent" href="a.html"/></resources></manifest>"#;
    let escaping = zip_of(&[
        ("imsmanifest.xml", manifest),
        ("../evil.html", b"x"),
        ("a.html", b"x"),
    ]);
    assert_eq!(
        package::inspect(escaping.path()).unwrap_err(),
        Refusal::Zip(ZipRefusal::UnsafePath("../evil.html".into()))
    );
    let absolute = zip_of(&[
        ("imsmanifest.xml", manifest),
        ("/etc/x", b"x"),
        ("a.html", b"x"),
    ]);
    assert!(matches!(
        package::inspect(absolute.path()).unwrap_err(),
        Refusal::Zip(ZipRefusal::UnsafePath(_))
    ));
    let not_zip = Temp::new();
    std::fs::write(not_zip.path(), b"%PDF-1.7 not a zip").unwrap();
    assert_eq!(
        package::inspect(not_zip.path()).unwrap_err(),
        Refusal::NotZip
    );
    let fine = zip_of(&[("imsmanifest.xml", manifest), ("a.html", b"<p>hi</p>")]);
    let taken = package::inspect(fine.path()).unwrap();
    assert_eq!(taken.total_bytes as usize, manifest.len() + 9);
    // The messages say what to do: what to upload instead of a file that is not a zip; the
    // zip's other faults as for any package.
    assert!(
        Refusal::from(ZipRefusal::NotZip)
            .to_string()
            .contains("exported as SCORM")
    );
    let too_many = ZipRefusal::TooManyFiles { count: 3, max: 2 };
    assert_eq!(
        Refusal::from(too_many.clone()).to_string(),
        too_many.to_string()
    );
    assert!(Refusal::NoManifest.to_string().contains("imsmanifest.xml"));
    assert!(Refusal::Aicc.to_string().contains("SCORM"));
}

// ---- stored and served, on both databases ------------------------------------------------------

const MANIFEST: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="golf" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Golf explained</title>
    <item identifier="i1" identifierref="r1"><title>Playing</title></item>
    <item identifier="i2" identifierref="r2"><title>Etiquette</title></item>
  </organization></organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="Playing/index.html"/>
    <resource identifier="r2" type="webcontent" adlcp:scormtype="sco" href="Etiquette/index.html"/>
  </resources>
</manifest>"#;

fn golf_zip(playing: &[u8]) -> Vec<u8> {
    let file = zip_of(&[
        ("imsmanifest.xml", MANIFEST),
        ("Playing/index.html", playing),
        ("Etiquette/index.html", b"<p>Etiquette</p>"),
        ("shared/style.css", b"body { color: green }"),
    ]);
    std::fs::read(file.path()).unwrap()
}

pub(crate) async fn upload(
    state: &AppState,
    actor: &lyceum::auth::permissions::Actor,
    item_id: i64,
    bytes: Vec<u8>,
) -> Result<lyceum::scorm::model::PackageInfo, AppError> {
    lyceum::packages::upload::upload::<scorm::ScormPackage, _, _>(
        state,
        actor,
        item_id,
        "golf.zip",
        futures_util::stream::iter(vec![Ok::<_, std::io::Error>(axum::body::Bytes::from(
            bytes,
        ))]),
    )
    .await
}

/// A SCORM item in `c`'s course holding the manifest of a golf sample of the corpus (its
/// launch page a stand-in: the run-time is driven directly); `None` without the corpus.
pub(crate) async fn golf_item(
    state: &AppState,
    c: &support::Class,
    title: &str,
    sample: &str,
) -> Option<i64> {
    let root = support::corpus("scorm")?;
    let manifest = std::fs::read(root.join(sample).join("imsmanifest.xml")).unwrap();
    let item = c
        .add_item(
            state,
            ItemForm {
                kind: "scorm".into(),
                title: title.into(),
                required: true,
                completion: "manual".into(),
                ..Default::default()
            },
        )
        .await;
    let zip = zip_of(&[
        ("imsmanifest.xml", &manifest),
        ("shared/launchpage.html", b"<p>Golf</p>"),
    ]);
    upload(state, &c.teacher, item, std::fs::read(zip.path()).unwrap())
        .await
        .unwrap();
    Some(item)
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::builder()
        .uri(path)
        .header(header::COOKIE, format!("lyceum_session={cookie}"))
        .body(Body::empty())
        .unwrap()
}

db_test!(
    an_uploaded_package_is_served_to_those_who_may_open_it,
    |state| {
        let c = support::class(
            &state,
            ClassSpec {
                code: "GOLF",
                title: "Golf",
                section: "Rules",
                ..Default::default()
            },
        )
        .await;
        user_with_roles(&state, "cy@example.com", &[Role::Learner]).await;
        let form = ItemForm {
            kind: "scorm".into(),
            title: "Golf explained".into(),
            required: true,
            completion: "view".into(),
            hidden: true,
            ..Default::default()
        };
        let item = c.add_item(&state, form.clone()).await;
        let learner = c.learners[0].clone();
        assert_eq!(scorm::find(&state, &c.teacher, item).await.unwrap(), None);

        // A learner may not upload; a broken package is refused with its reason.
        assert_eq!(
            upload(&state, &learner, item, golf_zip(b"x"))
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        let broken = zip_of(&[("imsmanifest.xml", b"<manifest><organizations>")]);
        let refused = upload(
            &state,
            &c.teacher,
            item,
            std::fs::read(broken.path()).unwrap(),
        )
        .await
        .unwrap_err();
        assert!(
            refused
                .field("file")
                .unwrap()
                .contains("not well-formed XML"),
            "{refused:?}"
        );
        assert_eq!(scorm::find(&state, &c.teacher, item).await.unwrap(), None);

        let package = upload(&state, &c.teacher, item, golf_zip(b"<p>Playing v1</p>"))
            .await
            .unwrap();
        assert_eq!(package.structure.title, "Golf explained");
        assert_eq!(package.structure.version, Version::Scorm12);
        assert_eq!(package.file_count, 4);
        assert_eq!(package.base_url, format!("/packages/{item}/1/"));
        let launches: Vec<&str> = package
            .structure
            .launchable()
            .filter_map(|i| i.launch.as_deref())
            .collect();
        assert_eq!(launches, ["Playing/index.html", "Etiquette/index.html"]);

        let app = lyceum::http::router(state.clone());
        let sign_in = |email: &'static str| {
            let state = state.clone();
            async move {
                lyceum::auth::service::sign_in(&state, email, PASSWORD, &Client::at("127.0.0.1"))
                    .await
                    .unwrap()
                    .session()
                    .unwrap()
            }
        };
        let (teacher, ada, cy) = (
            sign_in("teacher@example.com").await,
            sign_in("ada@example.com").await,
            sign_in("cy@example.com").await,
        );
        let page = format!("/packages/{item}/1/Playing/index.html");
        let staff = send(&app, get(&page, &teacher)).await;
        assert_eq!(staff.status, StatusCode::OK);
        assert_eq!(staff.body, "<p>Playing v1</p>");
        assert_eq!(staff.headers[header::CONTENT_TYPE], "text/html");
        assert_eq!(staff.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        // Framed by the player (never by another site).
        assert_eq!(staff.headers[header::X_FRAME_OPTIONS], "SAMEORIGIN");
        assert_eq!(
            staff.headers[header::CONTENT_SECURITY_POLICY],
            "frame-ancestors 'self'"
        );
        let css = send(
            &app,
            get(&format!("/packages/{item}/1/shared/style.css"), &teacher),
        )
        .await;
        assert_eq!(css.headers[header::CONTENT_TYPE], "text/css");
        // Hidden: learners do not get it; nor does anyone outside the course.
        assert_eq!(
            send(&app, get(&page, &ada)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            send(&app, get(&page, &cy)).await.status,
            StatusCode::FORBIDDEN
        );
        // The files' address before /packages (a player opened then) answers the same way.
        let old_page = format!("/scorm/{item}/1/Playing/index.html");
        let old = send(&app, get(&old_page, &teacher)).await;
        assert_eq!(old.body, "<p>Playing v1</p>");
        assert_eq!(old.headers[header::X_FRAME_OPTIONS], "SAMEORIGIN");
        assert_eq!(
            send(&app, get(&old_page, &ada)).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            send(&app, get(&old_page, &cy)).await.status,
            StatusCode::FORBIDDEN
        );
        lyceum::items::service::update_item(
            &state,
            &c.teacher,
            item,
            &ItemForm {
                hidden: false,
                ..form
            },
        )
        .await
        .unwrap();
        assert_eq!(send(&app, get(&page, &ada)).await.body, "<p>Playing v1</p>");
        assert_eq!(
            send(&app, get(&page, &cy)).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            scorm::find(&state, &learner, item)
                .await
                .unwrap()
                .unwrap()
                .structure
                .title,
            "Golf explained"
        );
        // A byte range, as players of the package's media ask.
        let mut ranged = get(&page, &ada);
        ranged
            .headers_mut()
            .insert(header::RANGE, "bytes=3-9".parse().unwrap());
        let part = send(&app, ranged).await;
        assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(part.body, "Playing");
        assert_eq!(
            send(&app, get(&format!("/packages/{item}/1/missing.html"), &ada))
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        // A new upload is a new revision; the old files leave storage.
        let old_keys = lyceum::packages::files::keys(&state.db, item)
            .await
            .unwrap();
        let second = upload(&state, &c.teacher, item, golf_zip(b"<p>Playing v2</p>"))
            .await
            .unwrap();
        assert_eq!(second.base_url, format!("/packages/{item}/2/"));
        assert_eq!(
            send(&app, get(&page, &ada)).await.status,
            StatusCode::NOT_FOUND
        );
        let page2 = format!("/packages/{item}/2/Playing/index.html");
        assert_eq!(
            send(&app, get(&page2, &ada)).await.body,
            "<p>Playing v2</p>"
        );
        for key in &old_keys {
            assert_eq!(state.files.size(key).await.unwrap(), None, "{key}");
        }
        // A backup copies the package's files with the course files.
        let kept = lyceum::packages::files::keys(&state.db, item)
            .await
            .unwrap();
        let mut tx = state.db.begin().await.unwrap();
        let contents = lyceum::backup::store::contents(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        assert!(kept.iter().all(|k| contents.storage_keys.contains(k)));
        // A refused upload keeps the package that was there.
        let not_zip = upload(&state, &c.teacher, item, b"just text".to_vec())
            .await
            .unwrap_err();
        assert!(
            not_zip.field("file").unwrap().contains("not a zip"),
            "{not_zip:?}"
        );
        assert_eq!(
            send(&app, get(&page2, &ada)).await.body,
            "<p>Playing v2</p>"
        );

        // A course copy plays the same files; they stay until no item names them.
        let copy =
            lyceum::items::copy::copy_course(&state, &c.teacher, c.course_id, "GOLF-2", "Again")
                .await
                .unwrap();
        let outline = lyceum::courses::outline_store::outline(&state.db, copy.id, true)
            .await
            .unwrap();
        let copied_item = outline[0].items[0].id;
        let copied = scorm::find(&state, &c.teacher, copied_item)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(copied.structure.title, "Golf explained");
        assert_eq!(copied.base_url, format!("/packages/{copied_item}/2/"));
        let keys = lyceum::packages::files::keys(&state.db, item)
            .await
            .unwrap();
        assert_eq!(keys.len(), 4);
        scorm::purging(&state, item).await.unwrap();
        lyceum::courses::outline_store::delete_item(&state.db, item)
            .await
            .unwrap();
        for key in &keys {
            assert!(state.files.size(key).await.unwrap().is_some(), "{key}");
        }
        let page3 = format!("/packages/{copied_item}/2/Playing/index.html");
        assert_eq!(
            send(&app, get(&page3, &teacher)).await.body,
            "<p>Playing v2</p>"
        );
        scorm::purging(&state, copied_item).await.unwrap();
        for key in &keys {
            assert_eq!(state.files.size(key).await.unwrap(), None, "{key}");
        }
    }
);

// ---- the run-time: launch and commit, on both databases ----------------------------------------

db_test!(
    a_learners_commits_are_kept_resumed_and_complete_the_item,
    |state| {
        use lyceum::scorm::runtime;
        use std::collections::BTreeMap;
        let c = support::class(
            &state,
            ClassSpec {
                code: "GOLF",
                title: "Golf",
                section: "Rules",
                ..Default::default()
            },
        )
        .await;
        let outsider = user_with_roles(&state, "cy@example.com", &[Role::Learner]).await;
        let item = c
            .add_item(
                &state,
                ItemForm {
                    kind: "scorm".into(),
                    title: "Golf explained".into(),
                    required: true,
                    completion: "manual".into(),
                    ..Default::default()
                },
            )
            .await;
        upload(&state, &c.teacher, item, golf_zip(b"<p>Playing</p>"))
            .await
            .unwrap();
        let ada = c.learners[0].clone();
        let changes = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };

        let first = runtime::launch(&state, &ada, item, "i1").await.unwrap();
        assert!(first.record);
        assert_eq!(first.url, format!("/packages/{item}/1/Playing/index.html"));
        assert_eq!(first.launch.entry, "ab-initio");
        assert_eq!(first.launch.student_id, ada.email);
        assert!(first.values.is_empty());
        assert_eq!(first.sequence, 0);
        assert_eq!(
            runtime::launch(&state, &ada, item, "nonsense")
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            runtime::launch(&state, &outsider, item, "i1")
                .await
                .unwrap_err(),
            AppError::Forbidden
        );

        // Bookmark and suspend data far past SCORM 1.2's 4,096 characters.
        let long = "x".repeat(20_000);
        runtime::commit(
            &state,
            &ada,
            item,
            "i1",
            1,
            &changes(&[
                ("cmi.core.lesson_location", "page-3"),
                ("cmi.suspend_data", &long),
                ("cmi.core.lesson_status", "incomplete"),
            ]),
            false,
        )
        .await
        .unwrap();
        // A late copy of an earlier commit changes nothing.
        runtime::commit(
            &state,
            &ada,
            item,
            "i1",
            1,
            &changes(&[("cmi.core.lesson_location", "page-1")]),
            false,
        )
        .await
        .unwrap();
        // A value the data model refuses is a client error, and nothing of its batch is kept.
        let refused = runtime::commit(
            &state,
            &ada,
            item,
            "i1",
            2,
            &changes(&[
                ("cmi.core.lesson_location", "page-9"),
                ("cmi.core.score.raw", "150"),
            ]),
            false,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&refused, AppError::BadRequest(m) if m.contains("405")),
            "{refused:?}"
        );
        runtime::commit(
            &state,
            &ada,
            item,
            "i1",
            2,
            &changes(&[
                ("cmi.core.session_time", "00:10:00"),
                ("cmi.core.exit", "suspend"),
            ]),
            true,
        )
        .await
        .unwrap();
        let resumed = runtime::launch(&state, &ada, item, "i1").await.unwrap();
        assert_eq!(resumed.launch.entry, "resume");
        assert_eq!(resumed.launch.total_time, "0000:10:00.00");
        assert_eq!(resumed.values["cmi.core.lesson_location"], "page-3");
        assert_eq!(resumed.values["cmi.suspend_data"].len(), 20_000);
        assert!(!resumed.values.contains_key("cmi.core.session_time"));
        assert_eq!(resumed.sequence, 2);

        // The item is done once every SCO is completed or passed.
        let done = || async {
            lyceum::completion::store::completed_items(&state.db, c.course_id, ada.id)
                .await
                .unwrap()
        };
        runtime::commit(
            &state,
            &ada,
            item,
            "i1",
            3,
            &changes(&[
                ("cmi.core.lesson_status", "completed"),
                ("cmi.core.session_time", "00:05:00"),
            ]),
            true,
        )
        .await
        .unwrap();
        assert!(done().await.is_empty());
        let second = runtime::launch(&state, &ada, item, "i2").await.unwrap();
        assert_eq!(second.launch.entry, "ab-initio");
        runtime::commit(
            &state,
            &ada,
            item,
            "i2",
            1,
            &changes(&[
                ("cmi.core.lesson_status", "passed"),
                ("cmi.core.score.raw", "90"),
            ]),
            true,
        )
        .await
        .unwrap();
        assert_eq!(done().await, vec![item]);

        // The score reaches the gradebook out of 100, and follows the SCOs' reports: the mean
        // of those that give one, a raw score placed in the range the SCO states.
        let grade = || async {
            let mine = lyceum::grading::service::my_grades(&state, &ada, c.course_id)
                .await
                .unwrap();
            let row = mine
                .rows
                .into_iter()
                .find(|r| r.name == "Golf explained")
                .unwrap();
            (row.points, row.max_points)
        };
        assert_eq!(grade().await, (Some(90.0), 100.0));
        runtime::commit(
            &state,
            &ada,
            item,
            "i1",
            4,
            &changes(&[("cmi.core.score.raw", "7"), ("cmi.core.score.max", "10")]),
            false,
        )
        .await
        .unwrap();
        assert_eq!(grade().await, (Some(80.0), 100.0));

        // Staff preview without a record.
        let preview = runtime::launch(&state, &c.teacher, item, "i1")
            .await
            .unwrap();
        assert!(!preview.record);
        assert_eq!(preview.launch.lesson_mode, "browse");
        runtime::commit(
            &state,
            &c.teacher,
            item,
            "i1",
            1,
            &changes(&[("cmi.core.lesson_status", "completed")]),
            true,
        )
        .await
        .unwrap();

        // A new certification cycle starts every SCO afresh (the old attempts stay on record).
        let mut tx = state.db.begin().await.unwrap();
        runtime::reset_learner(&mut tx, item, ada.id, lyceum::db::now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let again = runtime::launch(&state, &ada, item, "i1").await.unwrap();
        assert_eq!(again.launch.entry, "ab-initio");
        assert!(again.values.is_empty());
    }
);

db_test!(
    the_instructor_sees_each_learners_results_and_may_reset_them,
    |state| {
        use lyceum::scorm::model::ResultStatus;
        use lyceum::scorm::{report, runtime};
        use std::collections::BTreeMap;
        let c = support::class(
            &state,
            ClassSpec {
                code: "GOLF",
                title: "Golf",
                section: "Rules",
                learners: &["ada@example.com", "bo@example.com"],
                ..Default::default()
            },
        )
        .await;
        let item = c
            .add_item(
                &state,
                ItemForm {
                    kind: "scorm".into(),
                    title: "Golf explained".into(),
                    required: true,
                    completion: "manual".into(),
                    ..Default::default()
                },
            )
            .await;
        upload(&state, &c.teacher, item, golf_zip(b"<p>Playing</p>"))
            .await
            .unwrap();
        let ada = c.learners[0].clone();
        let assistant = c.assistant.clone().unwrap();
        for (sco, status, score) in [("i1", "completed", "80"), ("i2", "passed", "60")] {
            runtime::launch(&state, &ada, item, sco).await.unwrap();
            let changes = BTreeMap::from([
                ("cmi.core.lesson_status".to_string(), status.to_string()),
                ("cmi.core.score.raw".to_string(), score.to_string()),
                ("cmi.core.session_time".to_string(), "00:10:00".to_string()),
            ]);
            runtime::commit(&state, &ada, item, sco, 1, &changes, true)
                .await
                .unwrap();
        }

        // Teaching assistants see the report; learners do not.
        let r = report::results(&state, &assistant, item, 1).await.unwrap();
        assert_eq!((r.parts, r.learners, r.started, r.done), (2, 2, 1, 1));
        assert!(!r.may_reset);
        let lines: Vec<(String, ResultStatus, i64, Option<f64>, f64)> = r
            .page
            .items
            .iter()
            .map(|l| (l.email.clone(), l.status, l.done, l.score, l.seconds))
            .collect();
        assert_eq!(
            lines,
            vec![
                (
                    ada.email.clone(),
                    ResultStatus::Passed,
                    2,
                    Some(70.0),
                    1200.0
                ),
                (
                    "bo@example.com".into(),
                    ResultStatus::NotStarted,
                    0,
                    None,
                    0.0
                ),
            ]
        );
        assert_eq!(
            report::results(&state, &ada, item, 1).await.unwrap_err(),
            AppError::Forbidden
        );
        let csv = report::export_csv(&state, &assistant, item).await.unwrap();
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows.len(), 3, "{csv}");
        assert!(
            rows.iter().any(|l| l.contains(&ada.email)
                && l.contains("Passed")
                && l.contains(",70.00,1200,")),
            "{csv}"
        );

        // Only those who edit the course reset; the learner starts again, the old attempts stay.
        assert_eq!(
            report::reset(&state, &assistant, item, ada.id)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        report::reset(&state, &c.teacher, item, ada.id)
            .await
            .unwrap();
        assert!(matches!(
            report::reset(&state, &c.teacher, item, ada.id).await,
            Err(AppError::Conflict(_))
        ));
        let r = report::results(&state, &c.teacher, item, 1).await.unwrap();
        assert!(r.may_reset);
        assert_eq!(r.started, 0);
        assert_eq!(
            r.page.items.first().map(|l| l.status),
            Some(ResultStatus::NotStarted)
        );
        let again = runtime::launch(&state, &ada, item, "i1").await.unwrap();
        assert_eq!(again.launch.entry, "ab-initio");
        let r = report::results(&state, &c.teacher, item, 1).await.unwrap();
        assert_eq!(r.page.items.first().map(|l| l.attempt), Some(2));
    }
);

const MANIFEST_2004: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="golf2004" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Golf explained</title>
    <item identifier="i1" identifierref="r1"><title>Playing</title></item>
    <item identifier="i2" identifierref="r2"><title>Etiquette</title></item>
  </organization></organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="Playing/index.html"/>
    <resource identifier="r2" type="webcontent" adlcp:scormType="sco" href="Etiquette/index.html"/>
  </resources>
</manifest>"#;

db_test!(
    a_scorm_2004_sco_is_recorded_resumed_graded_and_completes_the_item,
    |state| {
        use lyceum::scorm::{cmi2004, runtime};
        use std::collections::BTreeMap;
        let c = support::class(
            &state,
            ClassSpec {
                code: "GOLF",
                title: "Golf",
                section: "Rules",
                ..Default::default()
            },
        )
        .await;
        let item = c
            .add_item(
                &state,
                ItemForm {
                    kind: "scorm".into(),
                    title: "Golf explained".into(),
                    required: true,
                    completion: "manual".into(),
                    ..Default::default()
                },
            )
            .await;
        let zip = zip_of(&[
            ("imsmanifest.xml", MANIFEST_2004),
            ("Playing/index.html", b"<p>Playing</p>"),
            ("Etiquette/index.html", b"<p>Etiquette</p>"),
        ]);
        let info = upload(&state, &c.teacher, item, std::fs::read(zip.path()).unwrap())
            .await
            .unwrap();
        assert_eq!(info.structure.version, Version::Scorm2004(Some(4)));
        let ada = c.learners[0].clone();
        let changes = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };

        let first = runtime::launch(&state, &ada, item, "i1").await.unwrap();
        assert!(first.record);
        assert_eq!(first.launch.entry, "ab-initio");
        assert_eq!(cmi2004::seconds(&first.launch.total_time), 0.0);
        assert!(first.launch.total_time.starts_with('P'));
        let long = "y".repeat(60_000);
        runtime::commit(
            &state,
            &ada,
            item,
            "i1",
            1,
            &changes(&[
                ("cmi.location", "page-3"),
                ("cmi.suspend_data", &long),
                ("cmi.completion_status", "incomplete"),
                // Sorted by name, an interaction's responses come before its id and type: the
                // server sets them in the order the data model needs.
                ("cmi.interactions.0.correct_responses.0.pattern", "a"),
                ("cmi.interactions.0.learner_response", "b"),
                ("cmi.interactions.0.result", "incorrect"),
                ("cmi.interactions.0.id", "q1"),
                ("cmi.interactions.0.type", "choice"),
            ]),
            false,
        )
        .await
        .unwrap();
        // The 2004 data model checks what it is sent: a scaled score is between -1 and 1.
        let refused = runtime::commit(
            &state,
            &ada,
            item,
            "i1",
            2,
            &changes(&[("cmi.score.scaled", "2")]),
            false,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&refused, AppError::BadRequest(m) if m.contains("407")),
            "{refused:?}"
        );
        runtime::commit(
            &state,
            &ada,
            item,
            "i1",
            2,
            &changes(&[("cmi.session_time", "PT10M"), ("cmi.exit", "suspend")]),
            true,
        )
        .await
        .unwrap();
        let resumed = runtime::launch(&state, &ada, item, "i1").await.unwrap();
        assert_eq!(resumed.launch.entry, "resume");
        assert_eq!(cmi2004::seconds(&resumed.launch.total_time), 600.0);
        assert_eq!(resumed.values["cmi.location"], "page-3");
        assert_eq!(resumed.values["cmi.interactions.0.learner_response"], "b");
        assert_eq!(resumed.values["cmi.suspend_data"].len(), 60_000);
        assert!(!resumed.values.contains_key("cmi.session_time"));

        let done = || async {
            lyceum::completion::store::completed_items(&state.db, c.course_id, ada.id)
                .await
                .unwrap()
        };
        runtime::commit(
            &state,
            &ada,
            item,
            "i1",
            3,
            &changes(&[
                ("cmi.completion_status", "completed"),
                ("cmi.success_status", "passed"),
                ("cmi.score.scaled", "0.85"),
                ("cmi.session_time", "PT5M"),
            ]),
            true,
        )
        .await
        .unwrap();
        assert!(done().await.is_empty());
        let mine = lyceum::grading::service::my_grades(&state, &ada, c.course_id)
            .await
            .unwrap();
        let row = mine
            .rows
            .iter()
            .find(|r| r.name == "Golf explained")
            .unwrap();
        assert_eq!((row.points, row.max_points), (Some(85.0), 100.0));
        runtime::launch(&state, &ada, item, "i2").await.unwrap();
        runtime::commit(
            &state,
            &ada,
            item,
            "i2",
            1,
            &changes(&[("cmi.completion_status", "completed")]),
            true,
        )
        .await
        .unwrap();
        assert_eq!(done().await, vec![item]);
        let report = lyceum::scorm::report::results(&state, &c.teacher, item, 1)
            .await
            .unwrap();
        let line = report.page.items.first().unwrap();
        assert_eq!(line.done, 2);
        assert_eq!(line.seconds, 900.0);
    }
);

db_test!(
    the_forced_sequential_sample_opens_each_part_once_the_one_before_it_is_passed,
    |state| {
        use lyceum::scorm::runtime;
        use std::collections::BTreeMap;
        let c = support::class(
            &state,
            ClassSpec {
                code: "GOLF",
                title: "Golf",
                section: "Rules",
                ..Default::default()
            },
        )
        .await;
        let sample = "scorm2004/SequencingForcedSequential_SCORM20043rdEdition";
        let Some(item) = golf_item(&state, &c, "Golf in order", sample).await else {
            return;
        };
        let ada = c.learners[0].clone();
        let closed = |a: &lyceum::scorm::sequencing::Availability| -> Vec<String> {
            a.parts
                .iter()
                .filter(|p| p.disabled)
                .map(|p| p.identifier.clone())
                .collect()
        };

        let fresh = runtime::availability(&state, &ada, item).await.unwrap();
        assert!(fresh.flow);
        assert_eq!(
            closed(&fresh),
            [
                "etuqiette_item",
                "handicapping_item",
                "havingfun_item",
                "assessment_item"
            ]
        );
        // Closed parts cannot be launched, whatever the page asks.
        assert!(matches!(
            runtime::launch(&state, &ada, item, "etuqiette_item").await,
            Err(AppError::Conflict(_))
        ));
        // A new attempt starts with the activity's objectives from the manifest.
        let playing = runtime::launch(&state, &ada, item, "playing_item")
            .await
            .unwrap();
        assert_eq!(
            playing
                .values
                .get("cmi.objectives.0.id")
                .map(String::as_str),
            Some("playing_satisfied")
        );
        let finish = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        // Completed but not yet passed: the next part stays closed.
        runtime::commit(
            &state,
            &ada,
            item,
            "playing_item",
            1,
            &finish(&[("cmi.completion_status", "completed")]),
            false,
        )
        .await
        .unwrap();
        let completed = runtime::availability(&state, &ada, item).await.unwrap();
        assert_eq!(closed(&completed).len(), 4);
        runtime::commit(
            &state,
            &ada,
            item,
            "playing_item",
            2,
            &finish(&[("cmi.success_status", "passed")]),
            true,
        )
        .await
        .unwrap();
        let passed = runtime::availability(&state, &ada, item).await.unwrap();
        assert_eq!(
            closed(&passed),
            ["handicapping_item", "havingfun_item", "assessment_item"]
        );
        let etiquette = runtime::launch(&state, &ada, item, "etuqiette_item")
            .await
            .unwrap();
        assert_eq!(
            etiquette
                .values
                .get("cmi.objectives.1.id")
                .map(String::as_str),
            Some("previous_sco_satisfied")
        );
        // The SCO reports on them by index, and the server takes it (their ids are kept).
        runtime::commit(
            &state,
            &ada,
            item,
            "etuqiette_item",
            1,
            &finish(&[("cmi.objectives.0.success_status", "passed")]),
            false,
        )
        .await
        .unwrap();
        // Staff open every part.
        let staff = runtime::availability(&state, &c.teacher, item)
            .await
            .unwrap();
        assert!(closed(&staff).is_empty());
    }
);

db_test!(
    a_package_larger_than_a_request_body_uploads_through_the_form,
    |state| {
        let c = support::class(&state, ClassSpec::default()).await;
        let item = c
            .add_item(
                &state,
                ItemForm {
                    kind: "scorm".into(),
                    title: "Golf explained".into(),
                    ..Default::default()
                },
            )
            .await;
        // 12 MB that do not compress: beyond axum's default 2 MB and the 10 MB other request
        // bodies may have; a package has its own limit (raised from the tests' 5 MB here).
        let mut config = (*state.config).clone();
        config.max_upload_bytes = 64 * 1024 * 1024;
        let state = AppState {
            config: std::sync::Arc::new(config),
            ..state
        };
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let video: Vec<u8> = (0..12 * 1024 * 1024)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let zip = zip_of(&[
            ("imsmanifest.xml", MANIFEST),
            ("Playing/index.html", &video),
            ("Etiquette/index.html", b"<p>Etiquette</p>"),
        ]);
        let bytes = std::fs::read(zip.path()).unwrap();
        assert!(bytes.len() > 12 * 1024 * 1024);
        let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"golf.zip\"\r\nContent-Type: application/zip\r\n\r\n".to_vec();
        body.extend_from_slice(&bytes);
        body.extend_from_slice(b"\r\n--XyZ--\r\n");
        let cookie = lyceum::auth::service::sign_in(
            &state,
            "teacher@example.com",
            PASSWORD,
            &Client::at("127.0.0.1"),
        )
        .await
        .unwrap()
        .session()
        .unwrap();
        let app = lyceum::http::router(state.clone());
        let req = Request::post(format!("/items/{item}/package"))
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XyZ")
            .header(header::CONTENT_LENGTH, body.len())
            .header(header::COOKIE, format!("lyceum_session={cookie}"))
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .unwrap();
        let reply = send(&app, req).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
);

/// The package's state for a learner whose SCOs reported `reports` (by identifier).
fn rolled_up(
    structure: &lyceum::scorm::model::Structure,
    reports: &[(&str, lyceum::scorm::sequencing::Report)],
) -> lyceum::scorm::sequencing::Availability {
    let run = crate::scorm_navigation::Run {
        reports: reports
            .iter()
            .map(|(id, r)| (id.to_string(), r.clone()))
            .collect(),
        ..Default::default()
    };
    run.state(structure)
}

fn sco_report(completed: bool, satisfied: Option<bool>) -> lyceum::scorm::sequencing::Report {
    lyceum::scorm::sequencing::Report {
        attempts: 1,
        completed: Some(completed),
        satisfied,
        ..Default::default()
    }
}

/// The ADL golf samples that roll up by rules of their own behave as their manifests describe:
/// a pre-test passed tests the learner out, a post-test alone counts, one random test of four
/// completes the course.
#[test]
fn the_corpus_rollup_samples_complete_as_they_describe() {
    let Some(root) = support::corpus("scorm") else {
        return;
    };
    let read = |dir: &str| read_manifest(&root.join("scorm2004").join(dir)).unwrap();
    let disabled = |a: &lyceum::scorm::sequencing::Availability, id: &str| {
        a.part(id).unwrap_or_else(|| panic!("no {id}")).disabled
    };
    let content = [
        "playing_item",
        "etuqiette_item",
        "handicapping_item",
        "havingfun_item",
    ];

    // Pre or post test: the post-test opens once all content is completed; passing either test
    // completes the course, and the pre-test is taken once.
    let s = read("SequencingPreOrPostTestRollup_SCORM20043rdEdition");
    let fresh = rolled_up(&s, &[]);
    assert!(!disabled(&fresh, "pretest_item"));
    assert!(disabled(&fresh, "posttest_item"));
    assert_ne!(fresh.completed, Some(true));
    let tested_out = rolled_up(&s, &[("pretest_item", sco_report(true, Some(true)))]);
    assert_eq!(tested_out.completed, Some(true));
    assert!(disabled(&tested_out, "pretest_item"));
    let mut studied: Vec<(&str, _)> = vec![("pretest_item", sco_report(true, Some(false)))];
    studied.extend(content.iter().map(|id| (*id, sco_report(true, None))));
    let ready = rolled_up(&s, &studied);
    assert!(disabled(&ready, "pretest_item"), "one attempt only");
    assert!(!disabled(&ready, "posttest_item"));
    assert_ne!(ready.completed, Some(true));
    studied.push(("posttest_item", sco_report(true, Some(true))));
    assert_eq!(rolled_up(&s, &studied).completed, Some(true));

    // Post test rollup: the content does not count; the quiz alone completes the course.
    let s = read("SequencingPostTestRollup_SCORM20043rdEdition");
    let content_only: Vec<(&str, _)> = [
        "playing_item",
        "etuqiette_item",
        "handicapping_item",
        "havingfun_item",
    ]
    .iter()
    .map(|id| (*id, sco_report(true, Some(true))))
    .collect();
    assert_ne!(rolled_up(&s, &content_only).completed, Some(true));
    let mut with_quiz = content_only.clone();
    with_quiz.push(("assessment_item", sco_report(true, Some(true))));
    let done = rolled_up(&s, &with_quiz);
    assert_eq!((done.completed, done.satisfied), (Some(true), Some(true)));

    // Random test: content completed and one of the four tests passed completes the course.
    let s = read("SequencingRandomTest_SCORM20043rdEdition");
    let mut taken: Vec<(&str, _)> = content
        .iter()
        .map(|id| (*id, sco_report(true, None)))
        .collect();
    assert_ne!(rolled_up(&s, &taken).completed, Some(true));
    assert!(!disabled(&rolled_up(&s, &taken), "test_3"));
    taken.push(("test_3", sco_report(true, Some(true))));
    assert_eq!(rolled_up(&s, &taken).completed, Some(true));
}

db_test!(
    a_package_whose_rollup_says_completed_completes_the_item,
    |state| {
        use lyceum::scorm::runtime;
        let c = support::class(&state, ClassSpec::default()).await;
        let sample = "scorm2004/SequencingPreOrPostTestRollup_SCORM20043rdEdition";
        let Some(item) = golf_item(&state, &c, "Golf, pre or post test", sample).await else {
            return;
        };
        let ada = c.learners[0].clone();
        let done = || async {
            lyceum::completion::store::completed_items(&state.db, c.course_id, ada.id)
                .await
                .unwrap()
        };
        let changes = |pairs: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        runtime::launch(&state, &ada, item, "pretest_item")
            .await
            .unwrap();
        // Completed but failed: the course is not done, and the pre-test is taken once.
        runtime::commit(
            &state,
            &ada,
            item,
            "pretest_item",
            1,
            &changes(&[
                ("cmi.completion_status", "completed"),
                ("cmi.success_status", "failed"),
            ]),
            true,
        )
        .await
        .unwrap();
        assert!(done().await.is_empty());
        let after = runtime::availability(&state, &ada, item).await.unwrap();
        assert!(after.part("pretest_item").unwrap().disabled);
        assert!(after.part("posttest_item").unwrap().disabled);

        // Another learner passes the pre-test: the organization rolls up as completed, and
        // the item is done though not one content SCO was opened.
        let bo = lyceum::testing::user_with_roles(&state, "bo@example.com", &[Role::Learner]).await;
        lyceum::enrolments::service::enrol_user(
            &state,
            &c.teacher,
            c.course_id,
            bo.id,
            lyceum::courses::model::CourseRole::Learner,
        )
        .await
        .unwrap();
        runtime::launch(&state, &bo, item, "pretest_item")
            .await
            .unwrap();
        runtime::commit(
            &state,
            &bo,
            item,
            "pretest_item",
            1,
            &changes(&[
                ("cmi.completion_status", "completed"),
                ("cmi.success_status", "passed"),
            ]),
            true,
        )
        .await
        .unwrap();
        let bo_done = lyceum::completion::store::completed_items(&state.db, c.course_id, bo.id)
            .await
            .unwrap();
        assert_eq!(bo_done, vec![item]);
        assert_eq!(
            runtime::availability(&state, &bo, item)
                .await
                .unwrap()
                .completed,
            Some(true)
        );
    }
);
