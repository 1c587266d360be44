-- PL/pgSQL, not SQL: a SQL function with a query is planned again on every call; this one keeps its plan.
CREATE OR REPLACE FUNCTION session_user_id(p_token_hash text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT s.user_id FROM sessions s WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now());
END
$$;
