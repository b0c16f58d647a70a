//! The browser tab's title: "`page` - SEND Planner", led by "Error: " while an error summary shows.

use std::cell::RefCell;

thread_local! {
    /// The page's own title, and how many error summaries show now.
    static TITLE: RefCell<(String, usize)> = RefCell::new((String::from("SEND Planner"), 0));
}

/// Writes the title as it now stands.
fn show() {
    let text = TITLE.with(|t| {
        let (page, errors) = &*t.borrow();
        format!("{}{page} - SEND Planner", if *errors > 0 { "Error: " } else { "" })
    });
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&text);
    }
}

/// Sets the browser tab's title: "`page` - SEND Planner" (after "Error: " while errors show).
pub(crate) fn set_title(page: &str) {
    TITLE.with(|t| page.clone_into(&mut t.borrow_mut().0));
    show();
}

/// An error summary has appeared.
pub(crate) fn error_shown() {
    TITLE.with(|t| t.borrow_mut().1 += 1);
    show();
}

/// An error summary has gone.
pub(crate) fn error_gone() {
    TITLE.with(|t| {
        let mut t = t.borrow_mut();
        t.1 = t.1.saturating_sub(1);
    });
    show();
}
