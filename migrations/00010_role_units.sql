-- +goose Up
-- Headed units go with the dirigente role only. Granting another role with unit codes used to
-- write manager_units rows too: a coordinator kept them, and headed them as soon as they became
-- dirigente of another unit. The code now refuses units with other roles; the rows it left
-- behind, of people who are not dirigenti, go. (Numbered 00010: 00009 is taken elsewhere.)
DELETE FROM manager_units m
WHERE NOT EXISTS (SELECT 1 FROM employee_roles r WHERE r.employee_id = m.employee_id AND r.role = 'dirigente');

-- +goose Down
-- The deleted rows were wrong and are not restored.
