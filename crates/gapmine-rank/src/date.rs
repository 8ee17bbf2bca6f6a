//! Days as numbers: a civil date becomes the count of days since 1970-01-01, so the aggregates are
//! integer-keyed and windows and decay weights are plain arithmetic.

use jiff::civil::Date;

/// Days since 1970-01-01 (negative before it), in the proleptic Gregorian calendar.
pub fn day_number(date: Date) -> i32 {
    days_from_civil(
        i32::from(date.year()),
        date.month() as u32,
        date.day() as u32,
    )
}

/// The date of a day number. `None` outside the years jiff supports (-9999 to 9999).
pub fn from_day_number(day: i32) -> Option<Date> {
    let (y, m, d) = civil_from_days(day);
    Date::new(i16::try_from(y).ok()?, m as i8, d as i8).ok()
}

/// The month index of a day: `year * 12 + month - 1`.
pub fn month_of_day(day: i32) -> i32 {
    let (y, m, _) = civil_from_days(day);
    y * 12 + m as i32 - 1
}

/// The first day of a month index.
pub fn first_day_of_month(month: i32) -> i32 {
    days_from_civil(month.div_euclid(12), month.rem_euclid(12) as u32 + 1, 1)
}

/// `YYYY-MM` for a month index.
pub fn month_label(month: i32) -> String {
    format!(
        "{:04}-{:02}",
        month.div_euclid(12),
        month.rem_euclid(12) + 1
    )
}

// Howard Hinnant's algorithms (`days_from_civil`, `civil_from_days`), exact for every date.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip_and_match_known_dates() {
        let epoch = Date::new(1970, 1, 1).unwrap();
        assert_eq!(day_number(epoch), 0);
        assert_eq!(day_number(Date::new(2000, 3, 1).unwrap()), 11_017);
        assert_eq!(day_number(Date::new(1969, 12, 31).unwrap()), -1);
        for day in (-800_000..800_000).step_by(997) {
            let date = from_day_number(day).unwrap();
            assert_eq!(day_number(date), day);
        }
        let d = day_number(Date::new(2026, 2, 17).unwrap());
        assert_eq!(month_label(month_of_day(d)), "2026-02");
        assert_eq!(
            first_day_of_month(month_of_day(d)),
            day_number(Date::new(2026, 2, 1).unwrap())
        );
    }
}
