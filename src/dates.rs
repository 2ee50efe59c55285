//! Dates of posts and comments: read from what blogs write, kept as
//! ISO 8601 text, compared by the local date and time they name.
//!
//! A date keeps what its source says: `2010-08-03` (a day),
//! `2010-08-03T09:15:00` (a local time, as WordPress's `wp:post_date`),
//! `2010-08-03T09:15:00+02:00` (with its offset). `--since` and `--until`
//! compare the local date and time, the offset aside: a blog's dates are
//! the author's clock.

use jiff::civil::{Date, DateTime, Time};
use jiff::fmt::temporal::{Pieces, PiecesOffset};

/// A date read from a post, a comment or a front matter, as ISO 8601;
/// `None` for text that is no date (or WordPress's `0000-00-00 00:00:00`).
pub fn parse(text: &str) -> Option<String> {
    let text = text.trim();
    let joined;
    // Jekyll writes `2011-09-12 10:00:00 +0200`.
    let text = match text.rsplit_once(' ') {
        Some((head, offset)) if head.len() > 10 && offset.starts_with(['+', '-']) => {
            joined = format!("{head}{offset}");
            joined.as_str()
        }
        _ => text,
    };
    let pieces = Pieces::parse(text).ok()?;
    let date = pieces.date().to_string();
    let Some(time) = pieces.time() else {
        return Some(date);
    };
    let time = Time::new(time.hour(), time.minute(), time.second(), 0).ok()?;
    let local = format!("{date}T{}", time.strftime("%H:%M:%S"));
    Some(match pieces.offset() {
        Some(PiecesOffset::Zulu) => format!("{local}Z"),
        Some(PiecesOffset::Numeric(offset)) => {
            let sign = if offset.is_negative() { '-' } else { '+' };
            let seconds = offset.offset().seconds().abs();
            format!(
                "{local}{sign}{:02}:{:02}",
                seconds / 3600,
                seconds / 60 % 60
            )
        }
        _ => local,
    })
}

/// The date at the start of a Jekyll-style file name
/// (`2011-09-12-un-an-apres.md`).
pub fn from_file_name(name: &str) -> Option<String> {
    let head = name.get(..11)?;
    let date = head.strip_suffix('-')?;
    (date.len() == 10).then_some(())?;
    date.parse::<Date>().ok().map(|d| d.to_string())
}

/// The sortable key of a date written by [`parse`]: `YYYYMMDDhhmmss` of its
/// local date and time.
pub fn key(iso: &str) -> Option<u64> {
    let pieces = Pieces::parse(iso).ok()?;
    let time = pieces.time().unwrap_or(Time::midnight());
    Some(key_of(pieces.date().to_datetime(time)))
}

fn key_of(at: DateTime) -> u64 {
    let digits = at.strftime("%Y%m%d%H%M%S").to_string();
    digits.parse().unwrap_or(0)
}

/// Which end of a range a bound given on the command line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// `--since`: the first moment it names.
    Start,
    /// `--until`: the last moment it names, included.
    Finish,
}

/// The key of a bound given as `2010`, `2010-08`, `2010-08-03` or a full
/// date and time; `Err` with why for anything else.
pub fn bound(text: &str, end: End) -> Result<u64, String> {
    let text = text.trim();
    let invalid = || format!("{text:?} is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)");
    let number = |part: &str| -> Result<i16, String> {
        match part.parse::<i16>() {
            Ok(n) if part.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
            _ => Err(invalid()),
        }
    };
    let parts: Vec<&str> = text.split('-').collect();
    let first_day = match parts.as_slice() {
        [year] if year.len() == 4 => Date::new(number(year)?, 1, 1),
        [year, month] if year.len() == 4 && month.len() == 2 => {
            Date::new(number(year)?, number(month)? as i8, 1)
        }
        _ => {
            let pieces = Pieces::parse(text).map_err(|_| invalid())?;
            let time = match (pieces.time(), end) {
                (Some(time), _) => time,
                (None, End::Start) => Time::midnight(),
                (None, End::Finish) => Time::MAX,
            };
            return Ok(key_of(pieces.date().to_datetime(time)));
        }
    }
    .map_err(|_| invalid())?;
    Ok(match end {
        End::Start => key_of(first_day.to_datetime(Time::midnight())),
        End::Finish => {
            let last_day = match parts.len() {
                1 => first_day.last_of_year(),
                _ => first_day.last_of_month(),
            };
            key_of(last_day.to_datetime(Time::MAX))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_what_their_source_says() {
        let parse = |text| parse(text);
        assert_eq!(parse("2010-08-03"), Some("2010-08-03".into()));
        assert_eq!(
            parse("2010-08-03 09:15:00"),
            Some("2010-08-03T09:15:00".into())
        );
        assert_eq!(
            parse("2010-08-03T09:15:00.5+02:00"),
            Some("2010-08-03T09:15:00+02:00".into())
        );
        assert_eq!(
            parse("2011-09-12 10:00:00 -0530"),
            Some("2011-09-12T10:00:00-05:30".into())
        );
        assert_eq!(
            parse("2010-08-03T07:15:00Z"),
            Some("2010-08-03T07:15:00Z".into())
        );
        assert_eq!(parse("0000-00-00 00:00:00"), None);
        assert_eq!(parse("le 3 août"), None);
    }

    #[test]
    fn file_names_give_a_date() {
        assert_eq!(
            from_file_name("2011-09-12-un-an-apres.md"),
            Some("2011-09-12".into())
        );
        assert_eq!(from_file_name("2011-13-12-x.md"), None);
        assert_eq!(from_file_name("un-an-apres.md"), None);
    }

    #[test]
    fn keys_sort_by_local_time() {
        assert_eq!(key("2010-08-03"), Some(20100803000000));
        assert_eq!(key("2010-08-03T09:15:00+02:00"), Some(20100803091500));
        assert_eq!(bound("2010", End::Start), Ok(20100101000000));
        assert_eq!(bound("2010", End::Finish), Ok(20101231235959));
        assert_eq!(bound("2012-02", End::Finish), Ok(20120229235959));
        assert_eq!(bound("2010-08-03", End::Finish), Ok(20100803235959));
        assert_eq!(bound("2010-08-03T10:00", End::Finish), Ok(20100803100000));
        assert!(bound("août", End::Start).unwrap_err().contains("\"août\""));
        assert!(bound("2010-13", End::Start).is_err());
    }
}
