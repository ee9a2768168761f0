//! The small pages the loopback listener shows the browser. Everything they echo is
//! escaped.

use crate::ui::html_escape as escape;

/// A plain page: a heading and a line of what to do next. Both are escaped here.
pub fn page(heading: &str, next: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>sbctl</title>\
         <style>body{{font-family:sans-serif;max-width:40em;margin:4em auto;padding:0 1em;line-height:1.5}}</style>\
         </head><body>\n<h1>{}</h1>\n<p>{}</p>\n</body></html>\n",
        escape(heading),
        escape(next)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_echoed_is_escaped() {
        let html = page("sbctl: <b>x</b>", "\"'&<script>");
        assert!(html.contains("sbctl: &lt;b&gt;x&lt;/b&gt;"));
        assert!(html.contains("&quot;&#39;&amp;&lt;script&gt;"));
        assert!(!html.contains("<script>"));
    }
}
