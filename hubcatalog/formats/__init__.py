"""Date, time and number formats per language (settings.FORMAT_MODULE_PATH), on top of Django's own.

One rule for every language: a 24-hour clock, the day before the month, and every date-and-time shown with the
abbreviation of the site's time zone (EET/EEST by default), because buyers and hub coordinators sit in
different zones. What a module does not set falls back to Django's format module for that language.
"""
