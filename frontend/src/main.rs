//! SEND Planner in the browser: a Leptos single-page app talking gRPC-web to the backend.

mod api;
mod app;
mod components;
mod format;
/// The one layout of a letter's text (headings and paragraphs), shared with the backend's PDF.
#[path = "../../backend/src/domain/letter_text.rs"]
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the backend's PDF groups blocks into `sections`; the app needs only `blocks` and `template`"
    )
)]
mod letter_text;
mod pages;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
