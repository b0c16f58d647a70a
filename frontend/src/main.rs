//! SEND Planner in the browser: a Leptos single-page app talking gRPC-web to the backend.

mod api;
mod app;
mod components;
mod format;
mod pages;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
