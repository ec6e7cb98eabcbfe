// Live push (推送) of case events to consoles: Server-Sent Events with resume by Last-Event-ID,
// and the same entries by polling for clients that cannot hold a stream open.
#pragma once

#include "app/feed.h"
#include "http/router.h"

namespace gongzhi::http {

void AddFeedRoutes(Router& router, FeedHub& hub);

}  // namespace gongzhi::http
