import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiPaginatedResponse, Paginated, UuidParam } from '@app/core';
import type { AuthPrincipal } from '@app/core';
import { Authenticated, CurrentUser } from '@app/auth';
import {
  ClearNotificationsQueryDto,
  ClearedNotificationsDto,
  ListNotificationsQueryDto,
  NotificationDto,
  NotificationsService,
} from '@app/alerts';

@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  /** Your notifications and the broadcasts you have not cleared, newest first; filters: acknowledged, level. */
  @Authenticated()
  @ApiPaginatedResponse(NotificationDto)
  @Get()
  list(@CurrentUser() user: AuthPrincipal, @Query() q: ListNotificationsQueryDto): Promise<Paginated<NotificationDto>> {
    return this.notifications.listFor(user.userId, q);
  }

  /** Acknowledge one of your notifications (a broadcast is acknowledged for you only); 404 for anyone else's. */
  @Authenticated()
  @Post(':id/acknowledge')
  @HttpCode(HttpStatus.OK)
  acknowledge(@CurrentUser() user: AuthPrincipal, @Param('id', UuidParam) id: string): Promise<NotificationDto> {
    return this.notifications.acknowledgeFor(user.userId, id);
  }

  /**
   * Clear your list: your own notifications are deleted, broadcasts are hidden for you only.
   * `scope=acknowledged` clears only what you acknowledged; default `all`.
   */
  @Authenticated()
  @Delete()
  clear(@CurrentUser() user: AuthPrincipal, @Query() q: ClearNotificationsQueryDto): Promise<ClearedNotificationsDto> {
    return this.notifications.clearFor(user.userId, q);
  }
}
