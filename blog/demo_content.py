def build_blog(home_page, stdout):
    pass
