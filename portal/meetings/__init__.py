"""Implementation Group meetings: periods, agenda snapshots, decisions, actions, exports."""
