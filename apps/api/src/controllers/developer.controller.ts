import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { requestContext } from '@app/core';
import type { ClientInfo } from '@app/core';
import { Client, PERMISSIONS, RequirePermission } from '@app/auth';
import { DeveloperEndpointDto, DeveloperService, InvocationResultDto, InvokeEndpointDto } from '@app/system';

@ApiTags('developer')
@Controller('developer')
export class DeveloperController {
  constructor(private readonly developer: DeveloperService) {}

  /** Every route of the API (from its OpenAPI document), with a stable id to invoke it. */
  @RequirePermission(PERMISSIONS.DEVELOPER_USE)
  @Get('endpoints')
  endpoints(): DeveloperEndpointDto[] {
    return this.developer.endpoints();
  }

  /**
   * Call a route of this API with your own token (never more rights than yours) and get its
   * status, headers and body. Only routes of this application can be reached.
   */
  @RequirePermission(PERMISSIONS.DEVELOPER_USE)
  @Post('endpoints/:id/invoke')
  @HttpCode(HttpStatus.OK)
  invoke(
    @Param('id') id: string,
    @Body() dto: InvokeEndpointDto,
    @Headers('authorization') authorization: string | undefined,
    @Client() client: ClientInfo,
  ): Promise<InvocationResultDto> {
    return this.developer.invoke(id, dto, { authorization, ip: client.ip, requestId: requestContext.get()?.requestId });
  }
}
