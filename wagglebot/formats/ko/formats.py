# One date format across the console, in both languages: Korean moderators read ISO dates and the
# 24-hour clock, and a mixed "2026년 12월 3일 오후 2:05" / "Dec. 3, 2026, 2:05 p.m." is gone.
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_DAY_FORMAT = "n월 j일"
YEAR_MONTH_FORMAT = "Y년 n월"
