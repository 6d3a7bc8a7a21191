//! Cron schedules as Kubernetes reads them (the standard five-field syntax of the
//! CronJob controller): every field checked against its range, with steps, ranges,
//! lists, month and weekday names, and the `@daily`-style macros.

/// Why a schedule would be rejected: a message and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronError {
    pub message: String,
    pub help: String,
}

/// One of the five fields: its name, range and the names it accepts for values.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MONTHS: &[&str] = &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: [Field; 5] = [
    Field { name: "minute", min: 0, max: 59, names: &[] },
    Field { name: "hour", min: 0, max: 23, names: &[] },
    Field { name: "day of month", min: 1, max: 31, names: &[] },
    Field { name: "month", min: 1, max: 12, names: MONTHS },
    // The controller's parser numbers Sunday 0 only; 7 is refused by the API server.
    Field { name: "day of week", min: 0, max: 6, names: DAYS },
];

pub const MACROS: &[&str] = &["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

/// Checks a five-field schedule (minute hour day-of-month month day-of-week) or a macro.
pub fn check(s: &str) -> Result<(), CronError> {
    if s.starts_with('@') {
        return if MACROS.contains(&s) {
            Ok(())
        } else {
            Err(CronError {
                message: format!("`{s}` is not a cron macro"),
                help: format!("write one of {}, or five fields", MACROS.join(", ")),
            })
        };
    }
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() != 5 {
        return Err(CronError {
            message: format!("`{s}` is not a cron schedule"),
            help: "write five fields: minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\"".into(),
        });
    }
    for (part, field) in parts.iter().zip(&FIELDS) {
        check_field(part, field).map_err(|why| CronError {
            message: format!("`{s}`: the {} field `{part}` {why}", field.name),
            help: field_help(field),
        })?;
    }
    Ok(())
}

fn field_help(f: &Field) -> String {
    let names = match f.names.first().zip(f.names.last()) {
        Some((a, b)) => format!(" or {a}-{b}"),
        None => String::new(),
    };
    format!(
        "the {} field takes {}-{}{names}, `*`, ranges (`a-b`), lists (`a,b`) and steps (`*/n`, `a-b/n`, n at least 1)",
        f.name, f.min, f.max
    )
}

/// A comma-separated list of `*`, `?`, values and ranges, each with an optional step.
fn check_field(part: &str, f: &Field) -> Result<(), String> {
    for item in part.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(0) => return Err("has a step of 0 (`/0`), which never advances".into()),
                Ok(_) => {}
                Err(_) => return Err(format!("has the step `{step}`, which is not a number")),
            }
        }
        if range == "*" || (range == "?" && matches!(f.name, "day of month" | "day of week")) {
            continue;
        }
        let (lo, hi) = match range.split_once('-') {
            Some((a, b)) => (value(a, f)?, value(b, f)?),
            None => {
                let v = value(range, f)?;
                (v, v)
            }
        };
        if lo > hi {
            return Err(format!("has the range `{range}`, which runs backwards"));
        }
    }
    Ok(())
}

/// A number within the field's range, or one of its names (any case).
fn value(v: &str, f: &Field) -> Result<u32, String> {
    if let Some(i) = f.names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
        return Ok(f.min + u32::try_from(i).expect("at most 12 names"));
    }
    match v.parse::<u32>() {
        Ok(n) if (f.min..=f.max).contains(&n) => Ok(n),
        Ok(n) => Err(format!("is out of range: {n} is not within {}-{}", f.min, f.max)),
        Err(_) if v.is_empty() => Err("has an empty value".into()),
        Err(_) => Err(format!("has `{v}`, which is not a number{}", if f.names.is_empty() { "" } else { " or name" })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(s: &str) -> String {
        check(s).unwrap_err().message
    }

    #[test]
    fn accepts_what_the_controller_accepts() {
        for ok in [
            "0 2 * * *",
            "*/15 * * * 1-5",
            "0 0 1 JAN *",
            "0 9-17/2 * * mon-fri",
            "0,30 * 1,15 * SUN",
            "5 4 * * ?",
            "59 23 31 12 6",
            "0 0 1/2 * *",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
        for m in MACROS {
            assert_eq!(check(m), Ok(()), "{m}");
        }
    }

    #[test]
    fn names_the_field_and_its_range() {
        assert_eq!(message("30 25 * * *"), "`30 25 * * *`: the hour field `25` is out of range: 25 is not within 0-23");
        assert_eq!(message("61 * * * *"), "`61 * * * *`: the minute field `61` is out of range: 61 is not within 0-59");
        assert_eq!(message("0 2 * 13 *"), "`0 2 * 13 *`: the month field `13` is out of range: 13 is not within 1-12");
        assert_eq!(
            message("0 2 0 * *"),
            "`0 2 0 * *`: the day of month field `0` is out of range: 0 is not within 1-31"
        );
        assert_eq!(message("0 2 * * 7"), "`0 2 * * 7`: the day of week field `7` is out of range: 7 is not within 0-6");
        assert!(check("0 2 * 13 *").unwrap_err().help.starts_with("the month field takes 1-12 or JAN-DEC, "));
    }

    #[test]
    fn refuses_bad_steps_ranges_and_names() {
        assert_eq!(
            message("*/0 * * * *"),
            "`*/0 * * * *`: the minute field `*/0` has a step of 0 (`/0`), which never advances"
        );
        assert!(message("*/x * * * *").contains("the step `x`"));
        assert!(message("0 17-9 * * *").contains("runs backwards"));
        assert!(message("0 2 * * FUN").contains("`FUN`, which is not a number or name"));
        assert!(message("0 2 * JAN-XYZ *").contains("`XYZ`"));
        assert!(message("0 2 * * MON,").contains("an empty value"));
        assert!(message("0 ? * * *").contains("`?`"), "`?` only in the day fields");
        assert_eq!(message("@daly"), "`@daly` is not a cron macro");
        assert_eq!(message("0 2 * *"), "`0 2 * *` is not a cron schedule");
    }
}
