# The policy values live in `core` (core.policy.PolicyValue), where every floor can read them;
# this app owns changing them (services), and their pages and API.
