-- The grading of a quiz attempt, the one place of its formulas: the score (0–100, of the questions drawn or asked),
-- a campaign's pass, and the points earned before the daily cap (quiz_points_granted). p_rules carries the points
-- per right answer and the pass bonus: quizzes/grading.ts POINTS (test/unit/quizzes-grading.test.ts holds
-- this against the rules as the app tells them to people).
CREATE OR REPLACE FUNCTION quiz_grade(p_kind text, p_correct integer, p_total integer, p_pass_score integer, p_rules jsonb,
                                      OUT score integer, OUT passed boolean, OUT earned integer)
LANGUAGE sql IMMUTABLE AS $$
  SELECT g.score, g.passed,
         p_correct * (p_rules ->> CASE p_kind WHEN 'campaign' THEN 'perCorrectCampaign' WHEN 'practice' THEN 'perCorrectPractice'
                                              ELSE 'perCorrectLive' END)::integer
           + CASE WHEN g.passed THEN (p_rules ->> 'passBonus')::integer ELSE 0 END
    FROM (SELECT s.score, CASE WHEN p_kind = 'campaign' THEN s.score >= coalesce(p_pass_score, 0) END AS passed
            FROM (SELECT CASE WHEN p_total > 0 THEN round(100.0 * p_correct / p_total)::integer ELSE 0 END AS score) s) g
$$;
