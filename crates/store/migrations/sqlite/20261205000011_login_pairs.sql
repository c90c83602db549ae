-- The log-in throttle counts failures per e-mail and address pair, and looks up whether the
-- pair has logged in before.
CREATE INDEX login_attempts_pair ON login_attempts(email, address, at);
