

def test_a_nul_character_in_the_url_is_a_clear_400_not_a_server_error(client, world, login_as):
    # PostgreSQL cannot compare text with NUL; the lookup must not even be tried.
    login_as(client, world.board_a)
    assert client.get("/c/coop-a/members/?q=%00").status_code == 400
    assert client.get("/c/coop%00a/").status_code == 400
    assert client.get("/c/coop-a/members/?q=jan").status_code == 200
