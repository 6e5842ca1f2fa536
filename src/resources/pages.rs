//! The players of the resource kinds.

use crate::courses::model::ItemDetail;
use leptos::prelude::*;

#[component]
pub fn LinkPlayer(item: ItemDetail) -> impl IntoView {
    let url = item.url.unwrap_or_default();
    view! {
        <p>"This item is on another website."</p>
        <p><a class="btn btn-secondary" href=url.clone() target="_blank" rel="noopener noreferrer">{format!("Open {url} (new tab)")}</a></p>
    }
}

#[component]
pub fn VideoPlayer(item: ItemDetail) -> impl IntoView {
    match (&item.embed_url, &item.file) {
        (Some(embed), _) => view! {
            <div class="video-frame">
                <iframe src=embed.clone() title=item.item.title.clone() allow="fullscreen; picture-in-picture" allowfullscreen=true
                    referrerpolicy="strict-origin-when-cross-origin"></iframe>
            </div>
        }.into_any(),
        (None, Some(file)) => view! {
            <video class="video" controls preload="metadata" src=file.url() aria-label=item.item.title.clone()>
                <a href=file.url()>{format!("Download {}", file.name)}</a>
            </video>
        }.into_any(),
        _ => view! { <p class="alert alert-warning">"This video is missing."</p> }.into_any(),
    }
}

#[component]
pub fn FilePlayer(item: ItemDetail) -> impl IntoView {
    let Some(file) = item.file else {
        return view! { <p class="alert alert-warning">"This file is missing."</p> }.into_any();
    };
    let url = file.url();
    let name = file.name.clone();
    let inline = if file.is_pdf() {
        view! { <iframe class="pdf-frame" src=url.clone() title=format!("{name} (PDF)")></iframe> }
            .into_any()
    } else if file.is_image() {
        view! { <img class="file-image" src=url.clone() alt=item.item.title.clone() /> }.into_any()
    } else if file.is_video() {
        view! { <video class="video" controls preload="metadata" src=url.clone()></video> }
            .into_any()
    } else if file.is_audio() {
        view! { <audio controls preload="metadata" src=url.clone()></audio> }.into_any()
    } else {
        ().into_any()
    };
    view! {
        {inline}
        <p><a class="btn btn-secondary" href=url download=name.clone()>{format!("Download {name}")}</a></p>
    }
    .into_any()
}
