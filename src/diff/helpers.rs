//! Request helpers a call reaches its base through, and their V2 twins.
//!
//! `self._request("contacts/")`, `this.makeRequest('/contacts/', 'POST', body)`, `c.request("PUT", …)`: the
//! call names neither its base nor its URL's host; the helper joins them. When that base is shared with
//! calls that stay V1, a call made directly to the helper moves by calling a V2 twin of it, copied right
//! after it, that reads the base's V2 twin (see `bases`). Calls through further helpers (`get()` →
//! `_request()`) stay V1 with a marker naming them: twinning a chain is left to a human.
use super::bases::{self, FileText};
use crate::program::parse::{FunctionSpan, enclosing_function};
use crate::scan::finding::Finding;

/// The helper a call calls directly, with the base joined inside it.
#[derive(Debug, Clone)]
pub struct Helper {
    pub path: String,
    pub span: FunctionSpan,
    /// Its lines (1-based `span.start..=span.end`), each with its line ending.
    pub text: String,
}

/// One trail step: `(path, line, name)`.
type Step = (String, usize, String);

/// The helper `f` calls directly: the trail's step at the call names a function, the only function step
/// after it is the final send, and that send sits inside a function of that name.
pub fn direct_helper(
    f: &Finding,
    files: &std::collections::BTreeMap<&str, FileText>,
) -> Option<Helper> {
    let steps: Vec<Step> = f.trail.iter().filter_map(|t| bases::step(t)).collect();
    let own = steps
        .iter()
        .position(|s| s.0 == f.path && s.1 == f.line && s.2.ends_with("()"))?;
    let later: Vec<&Step> = steps[own + 1..]
        .iter()
        .filter(|s| s.2.ends_with("()"))
        .collect();
    let [send] = later.as_slice() else {
        return None; // the send itself, or a chain of helpers
    };
    let name = steps[own].2.trim_end_matches("()");
    let name = name.rsplit(['.', ':', '>']).next().unwrap_or(name);
    let file = files.get(send.0.as_str())?;
    let span = enclosing_function(file.lang, &send.0, file.text, send.1)?;
    if span.name != name {
        return None;
    }
    let text = bases::line_of_range(file.text, &(span.start..=span.end));
    if text.is_empty() {
        return None;
    }
    let text = text.to_string();
    Some(Helper {
        path: send.0.clone(),
        span,
        text,
    })
}

/// The V2 twin of a helper: its copy under `v2_name`, reading `base_v2` wherever it read `base`.
/// `None` when the copy would not differ or the name is not on its definition line.
pub fn twin_text(h: &Helper, v2_name: &str, base: &str, base_v2: &str) -> Option<String> {
    // The name where it is defined (after any decorator lines), then every read of the base.
    let mut out = String::new();
    let mut renamed = false;
    for line in h.text.split_inclusive('\n') {
        if !renamed && let Some(at) = bases::find_word(line, &h.span.name, 0) {
            out.push_str(&line[..at]);
            out.push_str(v2_name);
            out.push_str(&line[at + h.span.name.len()..]);
            renamed = true;
        } else {
            out.push_str(line);
        }
    }
    if !renamed {
        return None;
    }
    bases::replace_words(&out, base, base_v2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_helper_twin_reads_the_v2_base_under_its_v2_name() {
        let h = Helper {
            path: "crm.py".into(),
            span: FunctionSpan {
                name: "_request".into(),
                start: 1,
                end: 3,
            },
            text: "    @retry\n    def _request(self, endpoint):\n        return requests.get(API_ROOT + endpoint)\n".into(),
        };
        assert_eq!(
            twin_text(&h, "_request_v2", "API_ROOT", "API_ROOT_V2").unwrap(),
            "    @retry\n    def _request_v2(self, endpoint):\n        return requests.get(API_ROOT_V2 + endpoint)\n"
        );
        // Nothing of the base in it: no twin.
        assert_eq!(twin_text(&h, "_request_v2", "OTHER", "OTHER_V2"), None);
    }
}
