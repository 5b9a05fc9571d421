//! A file to rewrite, as text, and the way back to its bytes: UTF-8 (a BOM kept as the text's first
//! character) or UTF-16 of either byte order, with or without a BOM, as `scan` decodes it. Only files
//! whose bytes come back exactly from their text are accepted, so a rewrite changes nothing but the
//! edited lines: never UTF-8 spliced into UTF-16, never a replaced invalid byte.
use crate::scan::walk;

/// How a file's text is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// With or without a BOM (kept out of the text, so a line inserted at the top goes after it).
    Utf8 {
        bom: bool,
    },
    Utf16 {
        little_endian: bool,
        bom: bool,
    },
}

/// A file's text and how to write it back.
#[derive(Debug)]
pub struct Source {
    pub text: String,
    pub encoding: Encoding,
}

/// Decodes a file for rewriting, or says why it cannot be rewritten safely.
pub fn decode(bytes: &[u8]) -> Result<Source, String> {
    let encoding = if bytes.starts_with(&[0xFF, 0xFE]) {
        Encoding::Utf16 {
            little_endian: true,
            bom: true,
        }
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        Encoding::Utf16 {
            little_endian: false,
            bom: true,
        }
    } else if let Some(le) = walk::utf16_without_bom(bytes) {
        Encoding::Utf16 {
            little_endian: le,
            bom: false,
        }
    } else {
        Encoding::Utf8 {
            bom: bytes.starts_with(UTF8_BOM),
        }
    };
    let text = match encoding {
        Encoding::Utf8 { bom } => std::str::from_utf8(&bytes[if bom { 3 } else { 0 }..])
            .map_err(|_| {
                "not valid UTF-8 text (rewriting would lose its invalid bytes)".to_string()
            })?
            .to_string(),
        Encoding::Utf16 { little_endian, bom } => {
            let body = if bom { &bytes[2..] } else { bytes };
            if body.len() % 2 != 0 {
                return Err("UTF-16 text with an odd number of bytes (truncated?)".into());
            }
            let units = crate::scan::walk::utf16_units(body, little_endian);
            String::from_utf16(&units)
                .map_err(|_| "UTF-16 text with an unpaired surrogate".to_string())?
        }
    };
    if has_lone_cr(&text) {
        // The scan counts lines by `\n`: with CR-only endings its line numbers point at the top of the
        // file, and a patch built from them would not apply.
        return Err("CR-only line endings (`\\r` without `\\n`): edit by hand".into());
    }
    Ok(Source { text, encoding })
}

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// A `\r` not followed by `\n`.
fn has_lone_cr(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'\r', b).any(|i| b.get(i + 1) != Some(&b'\n'))
}

impl Encoding {
    /// `text` as this encoding's bytes (the inverse of `decode`).
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Encoding::Utf8 { bom } => {
                let mut out = Vec::with_capacity(text.len() + 3);
                if bom {
                    out.extend_from_slice(UTF8_BOM);
                }
                out.extend_from_slice(text.as_bytes());
                out
            }
            Encoding::Utf16 { little_endian, bom } => {
                let mut out = Vec::with_capacity(text.len() * 2 + 2);
                let mut push = |u: u16| {
                    out.extend(if little_endian {
                        u.to_le_bytes()
                    } else {
                        u.to_be_bytes()
                    })
                };
                if bom {
                    push(0xFEFF);
                }
                text.encode_utf16().for_each(&mut push);
                out
            }
        }
    }

    /// The text as a patch shows it (a UTF-8 BOM is part of the first line `git apply` matches), or
    /// `None` when `git apply` cannot take a text patch of the file (git treats UTF-16 as binary).
    pub fn patch_text(self, text: &str) -> Option<String> {
        match self {
            Encoding::Utf8 { bom: false } => Some(text.to_string()),
            Encoding::Utf8 { bom: true } => Some(format!("\u{feff}{text}")),
            Encoding::Utf16 { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
        Encoding::Utf16 {
            little_endian: le,
            bom,
        }
        .encode(text)
    }

    #[test]
    fn utf16_round_trips_in_every_byte_order_with_and_without_bom() {
        let text = "const a = fetch('https://rest.gohighlevel.com/v1/contacts/');\r\nx();\r\n";
        for le in [true, false] {
            for bom in [true, false] {
                let bytes = utf16(text, le, bom);
                let s = decode(&bytes).unwrap();
                assert_eq!(s.text, text);
                assert_eq!(
                    s.encoding,
                    Encoding::Utf16 {
                        little_endian: le,
                        bom
                    }
                );
                assert_eq!(s.encoding.encode(&s.text), bytes);
            }
        }
    }

    #[test]
    fn utf8_bom_is_kept_out_of_the_text_and_invalid_utf8_refused() {
        let bytes = b"\xEF\xBB\xBFa\n";
        let s = decode(bytes).unwrap();
        assert_eq!(s.text, "a\n");
        assert_eq!(s.encoding.encode(&s.text), bytes);
        assert!(decode(b"a\xFF\n").is_err());
    }

    #[test]
    fn cr_only_line_endings_are_refused_crlf_is_not() {
        assert!(decode(b"a\rb\r").unwrap_err().contains("CR-only"));
        assert!(decode(b"a\r\nb\r\n").is_ok());
    }
}
