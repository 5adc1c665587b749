DROP TABLE holidays;
DROP TABLE working_calendar;
