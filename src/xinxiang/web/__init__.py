"""The web console (网上工作台): a server-rendered Starlette app for staff and petitioners."""
