//! `Date`: a calendar date written `YYYY-MM-DD`, for `expires` and `--today`.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::model::characters::printable;
use crate::model::diagnostic::{Code, ValueError};

/// A valid proleptic Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Parses exactly `YYYY-MM-DD` (four, two and two digits) naming a real day.
    #[expect(clippy::cast_possible_truncation, reason = "month and day were checked to be 1..=12 and 1..=31 above")]
    pub fn parse(raw: &str) -> Result<Date, ValueError> {
        let bad = |why: &str| {
            ValueError::new(
                Code::InvalidDate,
                format!("`{}` is not a date: {why}", printable(raw)),
                "write the date as YYYY-MM-DD, e.g. 2027-05-01",
            )
        };
        let b = raw.as_bytes();
        let shape = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape {
            return Err(bad("expected YYYY-MM-DD"));
        }
        let num = |r: std::ops::Range<usize>| raw[r].parse::<u16>().unwrap_or(0);
        let (year, month, day) = (num(0..4), num(5..7), num(8..10));
        if !(1..=12).contains(&month) {
            return Err(bad("the month is not 01 to 12"));
        }
        if day == 0 || day > days_in_month(year, month as u8) as u16 {
            return Err(bad("that day does not exist in that month"));
        }
        Ok(Date { year, month: month as u8, day: day as u8 })
    }

    /// Today in UTC, from the system clock.
    pub fn today_utc() -> Date {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// The number of days from 1970-01-01 to this date (Howard Hinnant's `days_from_civil`).
    pub fn days_since_epoch(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the civil-from-days algorithm yields a month 1..=12, a day 1..=31 and a year of the u16 range it started from"
    )]
    pub(crate) fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The epoch conversion agrees with known dates, leap days included.
    #[test]
    fn days_since_epoch() {
        for (days, want) in [(0, "1970-01-01"), (11_016, "2000-02-29"), (20_779, "2026-11-22"), (-1, "1969-12-31")] {
            assert_eq!(Date::from_days_since_epoch(days).to_string(), want);
            assert_eq!(Date::parse(want).map(Date::days_since_epoch), Ok(days), "{want}");
        }
    }
}
